"""A small hand-made council (spec A, `councils/<LA>/local/*`) for the risk model's tests.

Families have a hidden need; a needier family has more police, social care, domestic abuse, housing,
debt and health records, worse school attendance, and its children more often start a child
protection plan or become looked after. The tests need a world where the truth is known and small
enough to train on in seconds; the real generator (famlink.synth) is used when it is available.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

START, END = date(2012, 1, 1), date(2019, 12, 31)
EVENT_TABLES = {
    "police": ("event", ["offence", "asb"]),
    "social_care": ("event", ["contact", "referral", "cin_start"]),
    "domestic_abuse": ("role", ["victim", "perpetrator"]),
    "housing": ("event", ["rent_arrears", "eviction_risk", "homeless"]),
    "benefits_debt": ("event", ["out_of_work_benefit", "problem_debt", "council_tax_arrears", "neet"]),
    "health": ("flag", ["mental_health", "substance_misuse", "accidents"]),
}


def _day(rng: np.random.Generator) -> date:
    return START + timedelta(days=int(rng.integers(0, (END - START).days)))


def make_council(root: Path, *, families: int = 300, seed: int = 7, council: str = "LA01") -> Path:
    """Write a council's local tables under root/councils/<council>/local and return the council dir."""
    rng = np.random.default_rng(seed)
    people: dict[str, list[object]] = {k: [] for k in (
        "record_id", "first_name", "surname", "sex", "date_of_birth", "family_ref", "ethnicity",
        "disability", "imd_decile")}  # fmt: skip
    events: dict[str, list[tuple[str, date, str]]] = {name: [] for name in EVENT_TABLES}
    school: list[tuple[str, date, int, int, int]] = []
    next_ref = 1
    for f in range(families):
        need = float(rng.gamma(1.0, 1.0))
        family_ref = f"F{f:05d}"
        ethnicity = str(rng.choice(["White", "Black", "Asian", "Mixed"], p=[0.7, 0.1, 0.12, 0.08]))
        imd = int(np.clip(round(rng.normal(4 - need, 2.5)), 1, 10))
        members: list[tuple[str, bool]] = []
        for adult in range(int(rng.integers(1, 3))):
            members.append((f"P{next_ref:06d}", False))
            _person(people, f"P{next_ref:06d}", family_ref, "F" if adult == 0 else "M",
                    date(int(rng.integers(1970, 1992)), 6, 15), ethnicity, False, imd)  # fmt: skip
            next_ref += 1
        for _ in range(int(rng.integers(1, 4))):
            ref = f"P{next_ref:06d}"
            members.append((ref, True))
            born = date(int(rng.integers(2000, 2016)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
            _person(people, ref, family_ref, str(rng.choice(["M", "F"])), born, ethnicity,
                    bool(rng.random() < 0.1), imd)  # fmt: skip
            next_ref += 1
        for ref, is_child in members:
            for table, (_, kinds) in EVENT_TABLES.items():
                for _ in range(int(rng.poisson(0.6 * need))):
                    events[table].append((ref, _day(rng), str(rng.choice(kinds))))
            if is_child:
                _child_outcomes(rng, ref, need, events, school)
    return _write(root / "councils" / council, people, events, school)


def _person(people: dict[str, list[object]], ref: str, family: str, sex: str, born: date,
            ethnicity: str, disabled: bool, imd: int) -> None:  # fmt: skip
    for key, value in (("record_id", ref), ("first_name", "Sam"), ("surname", "Test"), ("sex", sex),
                       ("date_of_birth", born.isoformat()), ("family_ref", family), ("ethnicity", ethnicity),
                       ("disability", disabled), ("imd_decile", imd)):  # fmt: skip
        people[key].append(value)


def _child_outcomes(rng: np.random.Generator, ref: str, need: float,
                    events: dict[str, list[tuple[str, date, str]]],
                    school: list[tuple[str, date, int, int, int]]) -> None:  # fmt: skip
    for year in range(START.year, END.year + 1):
        for month in (9, 1, 4):
            possible = 120
            missed = int(rng.binomial(possible, min(0.6, 0.04 + 0.04 * need)))
            school.append((ref, date(year, month, 1), possible, missed, int(rng.poisson(0.05 * need))))
    if rng.random() < min(0.9, 0.08 * need**2):
        when = _day(rng)
        events["social_care"].append((ref, when - timedelta(days=90), "referral"))
        events["social_care"].append((ref, when, str(rng.choice(["cpp_start", "lac_start"]))))


def _write(council_dir: Path, people: dict[str, list[object]],
           events: dict[str, list[tuple[str, date, str]]],
           school: list[tuple[str, date, int, int, int]]) -> Path:  # fmt: skip
    local = council_dir / "local"
    local.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(people), local / "people.parquet")
    for table, (kind_col, _) in EVENT_TABLES.items():
        rows = events[table]
        pq.write_table(
            pa.table({"record_id": pa.array([r[0] for r in rows], pa.string()),
                      "date": pa.array([r[1] for r in rows], pa.date32()),
                      kind_col: pa.array([r[2] for r in rows], pa.string())}),
            local / f"{table}.parquet",
        )  # fmt: skip
    pq.write_table(
        pa.table({"record_id": [r[0] for r in school],
                  "term_start": pa.array([r[1] for r in school], pa.date32()),
                  "sessions_possible": [r[2] for r in school], "sessions_missed": [r[3] for r in school],
                  "exclusions": [r[4] for r in school]}),
        local / "school.parquet",
    )  # fmt: skip
    return council_dir


def write_local(
    root: Path,
    people: list[dict[str, object]],
    events: dict[str, list[tuple[str, date, str]]] | None = None,
    school: list[tuple[str, date, int, int, int]] | None = None,
) -> Path:
    """Write hand-made spec A tables (people rows as dicts; events per table as (ref, date, kind))."""
    columns = ("record_id", "first_name", "surname", "sex", "date_of_birth", "family_ref", "ethnicity",
               "disability", "imd_decile")  # fmt: skip
    defaults = {"first_name": "Sam", "surname": "Test", "sex": "F", "ethnicity": "White",
                "disability": False, "imd_decile": 5}  # fmt: skip
    table: dict[str, list[object]] = {c: [] for c in columns}
    for row in people:
        for column in columns:
            table[column].append(row.get(column, defaults.get(column)))
    all_events = {name: [] for name in EVENT_TABLES} | dict(events or {})
    return _write(root, table, all_events, list(school or []))
