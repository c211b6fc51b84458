"""What a council holds: the programme case list, objections, and its multi-agency local data.

The local data covers programme families and the other local families known to services (the
background families marked `known`), so the council's risk model has children to score who were
never on the programme. Case list and local data share the council's person references.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from famlink.synth.config import SynthConfig
from famlink.synth.corrupt import corrupt
from famlink.synth.council_world import CouncilWorld, clean_records
from famlink.synth.households import ROLE_NAMES
from famlink.synth.namebank import GROUP_ETHNICITY, GROUPS
from famlink.synth.programme import CHANNELS, STATUS_NAMES
from famlink.synth.sink import write_parquet
from famlink.synth.tables import RecordMap, Refs, event_table, person_table
from famlink.synth.text import dates, take

ETHNICITY = pa.array([GROUP_ETHNICITY[g] for g in GROUPS])
LOCAL_END = np.datetime64("2022-12-31")


def council_refs(cw: CouncilWorld, seed: int) -> tuple[np.ndarray, Refs, Refs]:
    """(covered rows sorted by reference, person refs, family refs)."""
    covered = np.flatnonzero(cw.fam.known[cw.people.family])
    n, families = len(cw.people), np.arange(len(cw.fam))
    ref = Refs.scatter(covered, "R", np.arange(len(covered)), 8, seed * 7 + cw.index, n)
    family_ref = Refs.scatter(families, "FAM", families, 7, seed * 11 + cw.index, len(cw.fam))
    return covered[np.argsort(ref.number[covered])], ref, family_ref


def write_council(
    cw: CouncilWorld, config: SynthConfig, root: Path, person_ids: pa.Array
) -> tuple[list[RecordMap], dict[str, dict[str, int]]]:
    """Write councils/<LA>/...; return the record maps and the error counts per source."""
    folder = root / "councils" / cw.code
    covered, ref, family_ref = council_refs(cw, config.seed)
    case_table, case_counts = _case_list(cw, config, ref, family_ref)
    write_parquet(case_table, folder / "case_list.parquet")
    write_parquet(_objections(cw, ref), folder / "objections.parquet")
    local_table, local_counts = _local_people(cw, config, covered, ref, family_ref)
    write_parquet(local_table, folder / "local" / "people.parquet")
    for name, table in _local_events(cw, ref).items():
        write_parquet(table, folder / "local" / f"{name}.parquet")
    programme = covered[cw.fam.programme[cw.people.family[covered]]]
    maps = [
        (f"council/{cw.code}/case_list", ref.of(programme), person_ids.take(pa.array(programme))),
        (f"council/{cw.code}/local", ref.of(covered), person_ids.take(pa.array(covered))),
    ]
    return maps, {"case_list": case_counts, "local": local_counts}


def _case_list(
    cw: CouncilWorld, config: SynthConfig, ref: Refs, family_ref: Refs
) -> tuple[pa.Table, dict[str, int]]:
    rows = np.flatnonzero(cw.fam.programme[cw.people.family])
    rows = rows[np.lexsort((ref.number[rows], family_ref.number[cw.people.family[rows]]))]
    family = cw.people.family[rows]
    snapshot = cw.prog.assessed[family]
    clean = clean_records(cw, rows, snapshot, ("nhs", "nino", "upn"))
    columns, counts = corrupt(cw.stream("errors/case_list", config.seed), clean, config.rates("case_list"))
    status = cw.prog.status[family]
    extra = {
        "family_ref": family_ref.of(family),
        "relationship": take(pa.array(list(ROLE_NAMES)), cw.people.role[rows]),
        "assessed_date": dates(cw.prog.assessed[family]),
        "status": take(pa.array(list(STATUS_NAMES)), status),
        "start_date": dates(cw.prog.start[family]),
        "waiting_list_date": dates(cw.prog.waiting_list[family]),
    }
    return person_table(ref.of(rows), columns, extra), counts


def _objections(cw: CouncilWorld, ref: Refs) -> pa.Table:
    """Every member of an objecting family, with the date and channel of the objection."""
    obj = cw.objections
    by_family = np.full(len(cw.fam), -1, dtype=np.int64)
    by_family[obj.family] = np.arange(len(obj.family))
    which = by_family[cw.people.family]
    rows = np.flatnonzero(which >= 0)
    rows = rows[np.argsort(ref.number[rows])]
    return pa.table(
        {
            "record_id": ref.of(rows),
            "objected_on": dates(obj.day[which[rows]]),
            "channel": take(pa.array(list(CHANNELS)), obj.channel[which[rows]]),
            "scope": pa.array(["research_sharing"] * len(rows), type=pa.string()),
        }
    )


def _local_people(
    cw: CouncilWorld, config: SynthConfig, covered: np.ndarray, ref: Refs, family_ref: Refs
) -> tuple[pa.Table, dict[str, int]]:
    rng = cw.stream("snapshot/local", config.seed)
    family = cw.people.family[covered]
    since = np.where(cw.fam.programme[family], cw.prog.assessed[family], np.datetime64("2015-01-01"))
    span = (LOCAL_END - since).astype(np.int64)
    snapshot = since + (rng.random(len(covered)) * span).astype("timedelta64[D]")
    clean = clean_records(cw, covered, snapshot, ("nhs", "nino", "upn"))
    columns, counts = corrupt(cw.stream("errors/local", config.seed), clean, config.rates("local"))
    extra = {
        "family_ref": family_ref.of(family),
        "ethnicity": take(ETHNICITY, cw.fam.group[family]),
        "disability": pa.array(cw.people.disability[covered]),
        "imd_decile": pa.array(cw.fam.imd_decile[family].astype(np.int8)),
    }
    return person_table(ref.of(covered), columns, extra), counts


def _local_events(cw: CouncilWorld, ref: Refs) -> dict[str, pa.Table]:
    h = cw.hist
    benefit_starts = (h.benefits.person, h.benefits.start, np.zeros(len(h.benefits), np.int8))
    debt_names = ("out_of_work_benefit", *h.debt.names)
    debt_person = np.concatenate([benefit_starts[0], h.debt.person])
    debt_day = np.concatenate([benefit_starts[1], h.debt.day])
    debt_kind = np.concatenate([benefit_starts[2], h.debt.kind + 1])
    return {
        "school": _school(cw, ref),
        "police": event_table(ref, h.crime.person, h.crime.day, "event", h.crime.names, h.crime.kind),
        "social_care": event_table(
            ref, h.social.person, h.social.day, "event", h.social.names, h.social.kind
        ),
        "domestic_abuse": event_table(ref, h.abuse.person, h.abuse.day, "role", h.abuse.names, h.abuse.kind),
        "housing": event_table(
            ref, h.housing.person, h.housing.day, "event", h.housing.names, h.housing.kind
        ),
        "benefits_debt": event_table(
            ref, debt_person, debt_day, "event", debt_names, debt_kind, presorted=False
        ),
        "health": event_table(ref, h.health.person, h.health.day, "flag", h.health.names, h.health.kind),
    }


def _school(cw: CouncilWorld, ref: Refs) -> pa.Table:
    att = cw.hist.attendance
    rows = ref.order(att.person)  # attendance rows come in (person, term) order
    return pa.table(
        {
            "record_id": ref.of(att.person[rows]),
            "term_start": dates(att.term_start[rows]),
            "sessions_possible": pa.array(att.possible[rows]),
            "sessions_missed": pa.array(att.missed[rows]),
            "exclusions": pa.array(att.exclusions[rows]),
        }
    )
