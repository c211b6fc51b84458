"""Outcome measures per person and per family, in windows around the programme start date.

Why SQL rather than pandas: the national cohort is about 1.5 million people with tens of millions of
events, and the whole evaluation must run in minutes. Every outcome is one conditional aggregate over a
join of (person × window) with an event or spell table, which DuckDB runs in parallel and out of core.

The definitions (windows, eligibility, what counts) are written for people in
`docs/reference/outcomes.md`; the spec tests in `tests/spec/test_eval_outcomes.py` check each one on
small readable tables. Windows are half-open `[start, end)` in calendar months from the start date (for
comparison families, the pseudo-start: the date assessed or put on the waiting list).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from famlink.errors import InputFileError

WINDOWS: dict[str, tuple[int, int]] = {
    "pre12": (-12, 0),
    "m0_6": (0, 6),
    "m7_12": (6, 12),
    "m13_18": (12, 18),
    "m19_24": (18, 24),
}
"""Window name → (first month offset, end month offset, exclusive) relative to the start date."""

COHORT_COLUMNS = ("person_id", "family_id", "start_date", "age_at_start")
SOURCE_COLUMNS: dict[str, tuple[str, ...]] = {
    "moj_events": ("person_id", "date", "event", "juvenile"),
    "dwp_benefit_spells": ("person_id", "benefit", "start_date", "end_date"),
    "dwp_employment_spells": ("person_id", "start_date", "end_date"),
    "dfe_attendance": ("person_id", "term_start", "sessions_possible", "sessions_missed"),
    "dfe_exclusions": ("person_id", "date", "kind"),
    "dfe_children_in_need": ("person_id", "episode", "start_date", "end_date"),
}

# Eligibility by age at the window's start (age_at_start + months/12): who the measure applies to.
OFFENDING_AGE = "age_w >= 10"  # age of criminal responsibility in England and Wales
ADULT_AGE = "age_w >= 18"
JUVENILE_AGE = "age_w >= 10 AND age_w < 18"
WORKING_AGE = "age_w >= 16"
SCHOOL_AGE = "age_w >= 5 AND age_w < 16"  # compulsory school age
CHILD_AGE = "age_w < 18"


@dataclass(frozen=True)
class OutcomeDefinition:
    """One binary outcome: which table, which rows count, who is eligible."""

    name: str
    source: str
    kind: str  # 'event' (a dated row inside the window) or 'spell' (a spell overlapping the window)
    condition: str  # SQL over the source row, aliased `s`
    eligible: str  # SQL over the person-window row (age_w)
    label: str


BINARY_OUTCOMES: tuple[OutcomeDefinition, ...] = (
    OutcomeDefinition("offence", "moj_events", "event", "s.event = 'offence'", OFFENDING_AGE, "any offence"),
    OutcomeDefinition(
        "conviction", "moj_events", "event", "s.event = 'conviction'", OFFENDING_AGE, "any conviction"
    ),
    OutcomeDefinition(
        "juvenile_conviction",
        "moj_events",
        "event",
        "s.event = 'conviction' AND s.juvenile",
        JUVENILE_AGE,
        "any conviction as a juvenile",
    ),
    OutcomeDefinition(
        "adult_custody",
        "moj_events",
        "event",
        "s.event = 'custody' AND NOT s.juvenile",
        ADULT_AGE,
        "adult custodial sentence",
    ),
    OutcomeDefinition(
        "juvenile_custody",
        "moj_events",
        "event",
        "s.event = 'custody' AND s.juvenile",
        JUVENILE_AGE,
        "juvenile custodial sentence",
    ),
    OutcomeDefinition(
        "out_of_work_benefit",
        "dwp_benefit_spells",
        "spell",
        "s.benefit IN ('JSA', 'ESA', 'IS', 'UC')",
        WORKING_AGE,
        "on an out-of-work benefit at any time",
    ),
    OutcomeDefinition(
        "employment", "dwp_employment_spells", "spell", "TRUE", WORKING_AGE, "employed at any time"
    ),
    OutcomeDefinition("exclusion", "dfe_exclusions", "event", "TRUE", SCHOOL_AGE, "any school exclusion"),
    OutcomeDefinition(
        "child_in_need",
        "dfe_children_in_need",
        "spell",
        "s.episode IN ('cin', 'cpp', 'lac')",
        CHILD_AGE,
        "child in need (any CIN, CPP or LAC episode)",
    ),
    OutcomeDefinition(
        "child_protection_plan",
        "dfe_children_in_need",
        "spell",
        "s.episode = 'cpp'",
        CHILD_AGE,
        "on a child protection plan",
    ),
    OutcomeDefinition(
        "looked_after", "dfe_children_in_need", "spell", "s.episode = 'lac'", CHILD_AGE, "looked after"
    ),
)
ABSENCE_OUTCOMES = ("absence_rate", "persistent_absence")
PERSISTENT_ABSENCE_THRESHOLD = 0.10
OUTCOME_NAMES: tuple[str, ...] = tuple(d.name for d in BINARY_OUTCOMES) + ABSENCE_OUTCOMES


def outcome_column(outcome: str, window: str) -> str:
    """The wide table's column for an outcome in a window, e.g. `looked_after_m19_24`."""
    return f"{outcome}_{window}"


def person_outcomes(
    cohort: pa.Table,
    sources: Mapping[str, pa.Table],
    *,
    observed_until: dt.date | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> pa.Table:
    """One row per cohort person: the cohort's columns plus one column per outcome and window.

    A value is NULL (not 0) when the person is not eligible for that outcome in that window (e.g. an
    adult's school absence), when the window ends after `observed_until`, or when the source table was
    not supplied. Absence rates are also NULL for an eligible child with no recorded sessions.

    How it stays fast: each source table is joined once to the person-windows it falls in (an inner
    join, so only people with events are touched) and aggregated to one row per person-window with
    every outcome of that source; the person-windows then pick those up by equality joins, and one
    GROUP BY on person_id pivots windows into columns.
    """
    _check_inputs(cohort, sources)
    names = _outcome_names(sources)
    if not names:
        raise InputFileError("no outcome source tables were given", fix="pass at least one spec-C table")
    con = con or duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.register("eval_cohort", cohort)
    for name, table in sources.items():
        con.register(f"eval_src_{name}", table)
    con.execute(_person_windows_sql(observed_until))
    con.execute(f"CREATE OR REPLACE TEMP TABLE eval_long AS {_long_outcomes_sql(sources)}")
    pivot = ", ".join(
        f"max(CASE WHEN window_name = '{w}' THEN {n} END) AS {outcome_column(n, w)}"
        for n in names
        for w in WINDOWS
    )
    sql = f"""
        SELECT c.*, o.* EXCLUDE (person_id)
        FROM eval_cohort c
        LEFT JOIN (SELECT person_id, {pivot} FROM eval_long GROUP BY person_id) o USING (person_id)
        ORDER BY c.person_id
    """
    return con.sql(sql).to_arrow_table()


def family_outcomes(people: pa.Table, con: duckdb.DuckDBPyConnection | None = None) -> pa.Table:
    """One row per family: a binary outcome is 1 if any eligible member had it (NULL if none eligible).

    Family absence rate is sessions-weighted over the family's children, approximated here as the mean
    of members' rates, because person-level session counts are not kept in the wide table.
    """
    con = con or duckdb.connect()
    con.register("eval_people", people)
    columns = [c for c in people.column_names if _is_outcome_column(c)]
    aggregates = [
        f"avg({c}) AS {c}" if c.startswith("absence_rate_") else f"max({c}) AS {c}" for c in columns
    ]
    sql = f"""
        SELECT family_id, count(*) AS members, {", ".join(aggregates)}
        FROM eval_people GROUP BY family_id ORDER BY family_id
    """
    return con.sql(sql).to_arrow_table()


def _is_outcome_column(column: str) -> bool:
    return any(column == outcome_column(o, w) for o in OUTCOME_NAMES for w in WINDOWS)


def _check_inputs(cohort: pa.Table, sources: Mapping[str, pa.Table]) -> None:
    missing = [c for c in COHORT_COLUMNS if c not in cohort.column_names]
    if missing:
        raise InputFileError(f"the cohort table lacks column(s): {', '.join(missing)}", where="cohort")
    for name, table in sources.items():
        if name not in SOURCE_COLUMNS:
            raise InputFileError(
                f"unknown outcome source table '{name}'", fix=f"use one of {', '.join(SOURCE_COLUMNS)}"
            )
        lacking = [c for c in SOURCE_COLUMNS[name] if c not in table.column_names]
        if lacking:
            raise InputFileError(f"table lacks column(s): {', '.join(lacking)}", where=name)


def _person_windows_sql(observed_until: dt.date | None) -> str:
    rows = ", ".join(f"('{name}', {lo}, {hi})" for name, (lo, hi) in WINDOWS.items())
    horizon = f"AND w_end <= DATE '{observed_until.isoformat()}' + 1" if observed_until else ""
    return f"""
        CREATE OR REPLACE TEMP TABLE eval_person_windows AS
        SELECT * FROM (
            SELECT c.person_id, w.window_name,
                   CAST(CAST(c.start_date AS DATE) + to_months(w.lo) AS DATE) AS w_start,
                   CAST(CAST(c.start_date AS DATE) + to_months(w.hi) AS DATE) AS w_end,
                   CAST(c.age_at_start AS DOUBLE) + w.lo / 12.0 AS age_w
            FROM eval_cohort c
            CROSS JOIN (VALUES {rows}) AS w(window_name, lo, hi)
            WHERE c.start_date IS NOT NULL
        ) WHERE TRUE {horizon}
    """


def _source_flags_sql(source: str, definitions: list[OutcomeDefinition]) -> str:
    """One row per person-window with at least one row of `source` in it, a 0/1 flag per outcome."""
    kind = definitions[0].kind
    if kind == "event":
        overlap = "s.date >= pw.w_start AND s.date < pw.w_end"
    else:
        overlap = "s.start_date < pw.w_end AND coalesce(s.end_date, DATE '9999-12-31') >= pw.w_start"
    flags = ", ".join(f"max(CASE WHEN {d.condition} THEN 1 ELSE 0 END) AS {d.name}" for d in definitions)
    return f"""
        SELECT pw.person_id, pw.window_name, {flags}
        FROM eval_person_windows pw
        JOIN eval_src_{source} s ON s.person_id = pw.person_id AND {overlap}
        GROUP BY pw.person_id, pw.window_name
    """


def _absence_sql() -> str:
    return """
        SELECT pw.person_id, pw.window_name,
               sum(s.sessions_missed) AS missed, sum(s.sessions_possible) AS possible
        FROM eval_person_windows pw
        JOIN eval_src_dfe_attendance s
          ON s.person_id = pw.person_id AND s.term_start >= pw.w_start AND s.term_start < pw.w_end
        GROUP BY pw.person_id, pw.window_name
    """


def _by_source(sources: Mapping[str, pa.Table]) -> dict[str, list[OutcomeDefinition]]:
    grouped: dict[str, list[OutcomeDefinition]] = {}
    for d in BINARY_OUTCOMES:
        if d.source in sources:
            grouped.setdefault(d.source, []).append(d)
    return grouped


def _outcome_names(sources: Mapping[str, pa.Table]) -> list[str]:
    names = [d.name for d in BINARY_OUTCOMES if d.source in sources]
    return names + (list(ABSENCE_OUTCOMES) if "dfe_attendance" in sources else [])


def _long_outcomes_sql(sources: Mapping[str, pa.Table]) -> str:
    """Person-window rows with every outcome, applying eligibility (NULL) and absence thresholds."""
    joins, selects = [], []
    for index, (source, definitions) in enumerate(_by_source(sources).items()):
        joins.append(
            f"LEFT JOIN ({_source_flags_sql(source, definitions)}) f{index} USING (person_id, window_name)"
        )
        selects += [
            f"CASE WHEN {d.eligible} THEN coalesce(f{index}.{d.name}, 0) END AS {d.name}" for d in definitions
        ]
    if "dfe_attendance" in sources:
        joins.append(f"LEFT JOIN ({_absence_sql()}) att USING (person_id, window_name)")
        rate = f"CASE WHEN {SCHOOL_AGE} AND att.possible > 0 THEN att.missed / att.possible END"
        selects += [
            f"{rate} AS absence_rate",
            f"CAST({rate} >= {PERSISTENT_ABSENCE_THRESHOLD} AS INTEGER) AS persistent_absence",
        ]
    columns = ", ".join(selects)
    return f"SELECT pw.person_id, pw.window_name, {columns} FROM eval_person_windows pw {' '.join(joins)}"
