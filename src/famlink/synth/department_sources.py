"""What each department holds: its own people (programme and background alike) and their outcomes.

DWP holds every adult with a National Insurance number; MoJ holds everyone with an offence on
record; DfE holds every child who was of school age or in children's social care in the window.
Departments do not hold NHS numbers (their person tables keep the column, empty), which matches how
the real study linked them: by names, date of birth, postcode, and NINO or UPN where held.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from famlink.synth.config import SynthConfig
from famlink.synth.corrupt import corrupt
from famlink.synth.council_world import CouncilWorld, clean_records, last_day
from famlink.synth.sink import Collector
from famlink.synth.tables import RecordMap, Refs, person_table
from famlink.synth.text import dates, take

PREFIX = {"dwp": "DWP", "moj": "PNC", "dfe": "NPD"}
NEVER = np.datetime64("1900-01-01")
JUSTICE_KINDS = pa.array(["offence", "caution", "conviction", "custody"])


def department_refs(cw: CouncilWorld, department: str, rows: np.ndarray, seed: int) -> Refs:
    """References for the people a department holds, numbered inside this council's block."""
    start = cw.offsets.department
    salt = seed * 13 + sum(map(ord, department))
    counter = np.arange(start, start + len(rows))
    return Refs.scatter(rows, PREFIX[department], counter, 9, salt, len(cw.people))


def holders(cw: CouncilWorld) -> dict[str, np.ndarray]:
    """Which people (rows) each department holds."""
    h, n = cw.hist, len(cw.people)
    child_sources = np.concatenate([h.attendance.person, h.care.person, h.attainment.person])
    return {
        "dwp": np.flatnonzero(np.asarray(cw.nino.is_valid())),
        "moj": np.unique(h.justice.person),
        "dfe": np.unique(child_sources[cw.people.role[child_sources] == 1]) if n else child_sources,
    }


def snapshots(cw: CouncilWorld, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The day each department last updated each person's details (per person, all people)."""
    h, n = cw.hist, len(cw.people)
    dwp = np.datetime64("2022-12-31") - rng.integers(0, 90, n).astype("timedelta64[D]")
    moj = last_day(h.justice.person, h.justice.day, n, NEVER)
    school = last_day(h.attendance.person, h.attendance.term_start, n, NEVER)
    care = last_day(h.care.person, h.care.start, n, NEVER)
    return {"dwp": dwp, "moj": moj, "dfe": np.maximum(school, care)}


HOLDS = {"dwp": ("nino",), "moj": ("nino",), "dfe": ("upn",)}


def append_departments(
    cw: CouncilWorld, config: SynthConfig, sink: Collector, person_ids: pa.Array
) -> tuple[list[RecordMap], dict[str, dict[str, int]]]:
    """Append this council's people and outcomes to departments/*; return record maps and error counts."""
    maps: list[RecordMap] = []
    counts: dict[str, dict[str, int]] = {}
    days = snapshots(cw, cw.stream("snapshot/departments", config.seed))
    for department, held in holders(cw).items():
        ref = department_refs(cw, department, held, config.seed)
        rows = held[np.argsort(ref.number[held])]
        clean = clean_records(cw, rows, days[department][rows], HOLDS[department])
        rng = cw.stream(f"errors/{department}", config.seed)
        columns, counts[department] = corrupt(rng, clean, config.rates(department))
        drop = ("upn",) if department == "dwp" else ()
        sink.append(
            f"departments/{department}/people.parquet", person_table(ref.of(rows), columns, drop=drop)
        )
        maps.append((department, ref.of(rows), person_ids.take(pa.array(rows))))
        for name, table in OUTCOMES[department](cw, ref).items():
            sink.append(f"departments/{department}/{name}.parquet", table)
    return maps, counts


def _dwp(cw: CouncilWorld, ref: Refs) -> dict[str, pa.Table]:
    b, e = cw.hist.benefits, cw.hist.employment
    rb, re = ref.order(b.person, b.start, b.kind), ref.order(e.person, e.start)
    benefit_spells = {
        "record_id": ref.of(b.person[rb]),
        "benefit": take(pa.array(list(b.names)), b.kind[rb]),
        "start_date": dates(b.start[rb]),
        "end_date": dates(b.end[rb]),
    }
    employment_spells = {
        "record_id": ref.of(e.person[re]),
        "start_date": dates(e.start[re]),
        "end_date": dates(e.end[re]),
    }
    return {"benefit_spells": pa.table(benefit_spells), "employment_spells": pa.table(employment_spells)}


def _moj(cw: CouncilWorld, ref: Refs) -> dict[str, pa.Table]:
    j = cw.hist.justice
    rows = ref.order(j.person)
    events = {
        "record_id": ref.of(j.person[rows]),
        "date": dates(j.day[rows]),
        "event": take(JUSTICE_KINDS, j.kind[rows]),
        "juvenile": pa.array(j.juvenile[rows]),
    }
    return {"events": pa.table(events)}


def _dfe(cw: CouncilWorld, ref: Refs) -> dict[str, pa.Table]:
    h = cw.hist
    att, exc, ks, care = h.attendance, h.exclusions, h.attainment, h.care
    ra = ref.order(att.person)  # already in (person, term) order
    rx = ref.order(exc.person)
    rk = ref.order(ks.person, ks.key_stage)
    rc = ref.order(care.person, care.start, care.kind)
    attendance = {
        "record_id": ref.of(att.person[ra]),
        "academic_year": pa.array(att.academic_year[ra]),
        "term": pa.array(att.term[ra]),
        "term_start": dates(att.term_start[ra]),
        "sessions_possible": pa.array(att.possible[ra]),
        "sessions_missed": pa.array(att.missed[ra]),
    }
    exclusions = {
        "record_id": ref.of(exc.person[rx]),
        "date": dates(exc.day[rx]),
        "kind": take(pa.array(list(exc.names)), exc.kind[rx]),
    }
    attainment = {
        "record_id": ref.of(ks.person[rk]),
        "key_stage": pa.array(ks.key_stage[rk]),
        "year": pa.array(ks.year[rk]),
        "score": pa.array(ks.score[rk]),
    }
    children_in_need = {
        "record_id": ref.of(care.person[rc]),
        "episode": take(pa.array(list(care.names)), care.kind[rc]),
        "start_date": dates(care.start[rc]),
        "end_date": dates(care.end[rc]),
    }
    return {
        "attendance": pa.table(attendance),
        "exclusions": pa.table(exclusions),
        "attainment": pa.table(attainment),
        "children_in_need": pa.table(children_in_need),
    }


OUTCOMES = {"dwp": _dwp, "moj": _moj, "dfe": _dfe}
