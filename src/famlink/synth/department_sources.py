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
from famlink.synth.ids import references
from famlink.synth.sink import TableSink
from famlink.synth.tables import RecordMap, person_table, scatter_refs
from famlink.synth.text import dates, take

PREFIX = {"dwp": "DWP", "moj": "PNC", "dfe": "NPD"}
NEVER = np.datetime64("1900-01-01")
JUSTICE_KINDS = pa.array(["offence", "caution", "conviction", "custody"])


class DepartmentCounters:
    """Running counts so department references stay unique across councils."""

    def __init__(self) -> None:
        self.next = {name: 0 for name in PREFIX}

    def refs(self, department: str, count: int, seed: int) -> pa.Array:
        start = self.next[department]
        self.next[department] = start + count
        salt = seed * 13 + sum(map(ord, department))
        return references(PREFIX[department], np.arange(start, start + count), 9, salt)


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
    cw: CouncilWorld, config: SynthConfig, sink: TableSink, counters: DepartmentCounters, person_ids: pa.Array
) -> tuple[list[RecordMap], dict[str, dict[str, int]]]:
    """Append this council's people and outcomes to departments/*; return record maps and error counts."""
    maps: list[RecordMap] = []
    counts: dict[str, dict[str, int]] = {}
    days = snapshots(cw, cw.stream("snapshot/departments", config.seed))
    for department, rows in holders(cw).items():
        refs = counters.refs(department, len(rows), config.seed)
        clean = clean_records(cw, rows, days[department][rows], HOLDS[department])
        columns, counts[department] = corrupt(
            cw.stream(f"errors/{department}", config.seed), clean, config.rates(department)
        )
        drop = ("upn",) if department == "dwp" else ()
        people = person_table(refs, columns, drop=drop).sort_by([("record_id", "ascending")])
        sink.append(f"departments/{department}/people.parquet", people)
        maps.append((department, refs, person_ids.take(pa.array(rows))))
        ref = scatter_refs(rows, refs, len(cw.people))
        for name, table in OUTCOMES[department](cw, ref).items():
            sink.append(f"departments/{department}/{name}.parquet", table)
    return maps, counts


def _sorted(table: pa.Table, *keys: str) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in keys])


def _dwp(cw: CouncilWorld, ref: pa.Array) -> dict[str, pa.Table]:
    b, e = cw.hist.benefits, cw.hist.employment
    return {
        "benefit_spells": _sorted(
            pa.table(
                {
                    "record_id": ref.take(pa.array(b.person)),
                    "benefit": take(pa.array(list(b.names)), b.kind),
                    "start_date": dates(b.start),
                    "end_date": dates(b.end),
                }
            ).filter(ref.take(pa.array(b.person)).is_valid()),
            "record_id",
            "start_date",
            "benefit",
        ),
        "employment_spells": _sorted(
            pa.table(
                {
                    "record_id": ref.take(pa.array(e.person)),
                    "start_date": dates(e.start),
                    "end_date": dates(e.end),
                }
            ).filter(ref.take(pa.array(e.person)).is_valid()),
            "record_id",
            "start_date",
        ),
    }


def _moj(cw: CouncilWorld, ref: pa.Array) -> dict[str, pa.Table]:
    j = cw.hist.justice
    table = pa.table(
        {
            "record_id": ref.take(pa.array(j.person)),
            "date": dates(j.day),
            "event": take(JUSTICE_KINDS, j.kind),
            "juvenile": pa.array(j.juvenile),
        }
    )
    return {"events": _sorted(table, "record_id", "date", "event")}


def _dfe(cw: CouncilWorld, ref: pa.Array) -> dict[str, pa.Table]:
    h = cw.hist
    att, exc, ks, care = h.attendance, h.exclusions, h.attainment, h.care
    refs_att = ref.take(pa.array(att.person))
    attendance = pa.table(
        {
            "record_id": refs_att,
            "academic_year": pa.array(att.academic_year),
            "term": pa.array(att.term),
            "term_start": dates(att.term_start),
            "sessions_possible": pa.array(att.possible),
            "sessions_missed": pa.array(att.missed),
        }
    )
    exclusions = pa.table(
        {
            "record_id": ref.take(pa.array(exc.person)),
            "date": dates(exc.day),
            "kind": take(pa.array(list(exc.names)), exc.kind),
        }
    )
    attainment = pa.table(
        {
            "record_id": ref.take(pa.array(ks.person)),
            "key_stage": pa.array(ks.key_stage),
            "year": pa.array(ks.year),
            "score": pa.array(ks.score),
        }
    )
    children_in_need = pa.table(
        {
            "record_id": ref.take(pa.array(care.person)),
            "episode": take(pa.array(list(care.names)), care.kind),
            "start_date": dates(care.start),
            "end_date": dates(care.end),
        }
    )
    return {
        "attendance": _sorted(_held(attendance), "record_id", "academic_year", "term"),
        "exclusions": _sorted(_held(exclusions), "record_id", "date", "kind"),
        "attainment": _sorted(_held(attainment), "record_id", "key_stage"),
        "children_in_need": _sorted(_held(children_in_need), "record_id", "start_date", "episode"),
    }


def _held(table: pa.Table) -> pa.Table:
    return table.filter(table.column("record_id").is_valid())


OUTCOMES = {"dwp": _dwp, "moj": _moj, "dfe": _dfe}
