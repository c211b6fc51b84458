"""Ground truth: the real person behind every record, true families, objections, the programme.

Only tests and benchmarks read `truth/`; the import contract keeps pipeline code from importing
the generator, and nothing in the pipeline is told where truth lives.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from famlink.synth.council_world import CouncilWorld
from famlink.synth.households import KIND_NAMES, ROLE_NAMES
from famlink.synth.namebank import GROUP_ETHNICITY, GROUPS, name_bank
from famlink.synth.places import WINDOW_END, address_at
from famlink.synth.programme import PROBLEMS, STATUS_NAMES
from famlink.synth.sink import Collector
from famlink.synth.tables import RecordMap
from famlink.synth.text import dates, join, take, where

ETHNICITY = pa.array([GROUP_ETHNICITY[g] for g in GROUPS])


def ids_for(cw: CouncilWorld) -> tuple[pa.Array, pa.Array]:
    """(person_id per person, family_id per family) in the world's global numbering."""
    from famlink.synth.ids import sequential_ids

    persons = sequential_ids("P", cw.offsets.person + 1, len(cw.people), 10)
    families = sequential_ids("F", cw.offsets.family + 1, len(cw.fam), 9)
    return persons, families


def append_truth(
    cw: CouncilWorld, sink: Collector, person_ids: pa.Array, family_ids: pa.Array, maps: list[RecordMap]
) -> None:
    sink.append("truth/persons.parquet", _persons(cw, person_ids, family_ids))
    sink.append("truth/families.parquet", _families(cw, family_ids))
    sink.append("truth/objections.parquet", _objections(cw, person_ids))
    maps = sorted(maps, key=lambda m: m[0])
    sources = pa.concat_arrays([pa.array([m[0]] * len(m[1]), type=pa.string()) for m in maps])
    record_ids = pa.concat_arrays([m[1] for m in maps])
    persons = pa.concat_arrays([m[2] for m in maps])
    sink.append(
        "truth/records.parquet", pa.table({"source": sources, "record_id": record_ids, "person_id": persons})
    )


def _persons(cw: CouncilWorld, person_ids: pa.Array, family_ids: pa.Array) -> pa.Table:
    bank, p = name_bank(), cw.people
    n = len(p)
    surname = take(bank.surnames, p.surname)
    surname = where(p.surname2 >= 0, join(surname, "-", take(bank.surnames, p.surname2)), surname)
    address, postcode = address_at(cw.homes, cw.streets, p.family, np.full(n, WINDOW_END))
    return pa.table(
        {
            "person_id": person_ids,
            "family_id": family_ids.take(pa.array(p.family)),
            "council": pa.array([cw.code] * n, type=pa.string()),
            "role": take(pa.array(list(ROLE_NAMES)), p.role),
            "first_name": take(bank.forenames, p.first),
            "middle_names": take(bank.forenames, p.middle),
            "surname": surname,
            "previous_surname": take(bank.surnames, p.previous_surname),
            "sex": take(pa.array(["M", "F"]), p.sex),
            "date_of_birth": dates(p.dob),
            "postcode": postcode,
            "address": address,
            "nhs_number": cw.nhs,
            "nino": cw.nino,
            "upn": cw.upn,
            "ethnicity": take(ETHNICITY, cw.fam.group[p.family]),
            "disability": pa.array(p.disability),
            "imd_decile": pa.array(cw.fam.imd_decile[p.family].astype(np.int8)),
            "twin_of": take(person_ids, p.twin_of),
            "junior_of": take(person_ids, p.junior_of),
            "programme": pa.array(cw.fam.programme[p.family]),
            "known_to_council": pa.array(cw.fam.known[p.family]),
        }
    )


def _families(cw: CouncilWorld, family_ids: pa.Array) -> pa.Table:
    fam, prog = cw.fam, cw.prog
    objected = np.zeros(len(fam), bool)
    objected[cw.objections.family] = True
    columns: dict[str, pa.Array] = {
        "family_id": family_ids,
        "council": pa.array([cw.code] * len(fam), type=pa.string()),
        "kind": take(pa.array(list(KIND_NAMES)), fam.kind),
        "size": pa.array(fam.size.astype(np.int16)),
        "children": pa.array(fam.n_children.astype(np.int16)),
        "ethnicity": take(ETHNICITY, fam.group),
        "imd_decile": pa.array(fam.imd_decile.astype(np.int8)),
        "latent_need": pa.array(np.round(fam.need, 6)),
        "programme": pa.array(fam.programme),
        "known_to_council": pa.array(fam.known),
        "problems_at_assessment": pa.array(prog.problems.sum(axis=1).astype(np.int8)),
    }
    for i, name in enumerate(PROBLEMS):
        columns[f"problem_{name}"] = pa.array(prog.problems[:, i])
    columns.update(
        {
            "eligible": pa.array(prog.eligible),
            "status": take(pa.array(list(STATUS_NAMES)), np.where(prog.status >= 0, prog.status, -1)),
            "assessed_date": dates(prog.assessed),
            "waiting_list_date": dates(prog.waiting_list),
            "start_date": dates(prog.start),
            "objected": pa.array(objected),
        }
    )
    return pa.table(columns)


def _objections(cw: CouncilWorld, person_ids: pa.Array) -> pa.Table:
    obj = cw.objections
    by_family = np.full(len(cw.fam), -1, dtype=np.int64)
    by_family[obj.family] = np.arange(len(obj.family))
    which = by_family[cw.people.family]
    rows = np.flatnonzero(which >= 0)
    return pa.table(
        {
            "person_id": person_ids.take(pa.array(rows)),
            "council": pa.array([cw.code] * len(rows), type=pa.string()),
            "objected_on": dates(obj.day[which[rows]]),
        }
    )
