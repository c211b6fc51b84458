"""Group statements in the documents' form, and the payment-by-results 'successful family outcome' rate.

The councils' privacy notices promised only group results like "over 70% of families reduced their
offending for six months after…". Such a sentence is two counts in disguise (families who did, and
all families it speaks of), so each goes through `Release.add_proportion` and the percentage printed
is the one computed from the rounded counts. A statement whose programme or comparison figure had to
be suppressed is left out rather than printed beside `[c]`.

Both measures are family-level: a family had a problem when any eligible member had it, and is
counted only when every window the measure needs is observed for it (a later-joiner's windows after
it joined are missing, so it drops out of those statements rather than counting as a success).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from famlink.disclosure import ProtectedProportion, Release
from famlink.report.checks import GroupStatement, PaymentByResults
from famlink.roles.research.outputs.analyse import PROGRAMME


@dataclass(frozen=True)
class StatementSpec:
    """One sentence: among families with `outcome` in the year before, those without it in `window`."""

    outcome: str
    window: str
    achievement: str
    period: str


STATEMENTS = (
    StatementSpec(
        "offence",
        "m0_6",
        "who offended in the year before had no recorded offence",
        "in the six months after the start",
    ),
    StatementSpec(
        "persistent_absence",
        "m0_6",
        "whose children were persistently absent in the year before had no persistently absent child",
        "in the six months after the start",
    ),
    StatementSpec(
        "out_of_work_benefit",
        "m7_12",
        "with an adult on out-of-work benefits in the year before had no one on them",
        "between seven and twelve months after the start",
    ),
    StatementSpec(
        "child_in_need",
        "m7_12",
        "with a child in need in the year before had no child in need",
        "between seven and twelve months after the start",
    ),
)

PBR_PROBLEMS = ("offence", "persistent_absence", "out_of_work_benefit", "child_in_need")
PBR_WINDOWS = ("m0_6", "m7_12")
PBR_DEFINITION = (
    "A family counts as a 'successful family outcome' when, for every problem it had in the 12 months "
    "before its start that the linked data can measure (any offence, a persistently absent child, an adult "
    "on out-of-work benefits, a child in need), no member had that problem in either of the two six-month "
    "windows after the start (sustained for a year); or when an adult who was not employed in the year "
    "before was employed in both windows (continuous employment). Families with none of these problems "
    "before the start, or with a window not observed, are not assessed."
)


def _family_frame(people: pa.Table) -> duckdb.DuckDBPyConnection:
    """A connection holding `fam`: one row per family with max() of each outcome column per window."""
    columns = [
        c
        for c in people.column_names
        if c.endswith(("_pre12", *(f"_{w}" for w in ("m0_6", "m7_12", "m13_18", "m19_24"))))
    ]
    con = duckdb.connect()
    con.register("study_people", people)
    flags = ", ".join(f"max({c}) AS {c}" for c in columns if not c.startswith("absence_rate"))
    con.execute(
        'CREATE TEMP TABLE fam AS SELECT family_id, any_value("group") AS grp, '
        f"{flags} FROM study_people GROUP BY family_id"
    )
    return con


def statements(
    release: Release, people: pa.Table, comparisons: list[str]
) -> tuple[list[GroupStatement], list[str]]:
    """The statements that passed, and a short description of each one withheld."""
    con = _family_frame(people)
    found, withheld = [], []
    for spec in STATEMENTS:
        pre, post = f"{spec.outcome}_pre12", f"{spec.outcome}_{spec.window}"
        if not _has_columns(people, pre, post):
            continue
        for comparison in comparisons:
            name = f"statement-{spec.outcome}-{spec.window}-{comparison}"
            mine = release.add_proportion(*_improved(con, PROGRAMME, pre, post), name=f"{name}-programme")
            theirs = release.add_proportion(*_improved(con, comparison, pre, post), name=f"{name}-comparison")
            if mine.percent is None or theirs.percent is None:
                withheld.append(f"{spec.outcome} ({spec.window}) against '{comparison}'")
                continue
            found.append(_statement(spec, comparison, mine, theirs))
    return found, withheld


def _statement(
    spec: StatementSpec, comparison: str, mine: ProtectedProportion, theirs: ProtectedProportion
) -> GroupStatement:
    assert mine.percent is not None and theirs.percent is not None
    return GroupStatement(
        output_id=f"statement-{spec.outcome}-{spec.window}-{comparison}-programme",
        outcome=spec.outcome,
        window=spec.window,
        comparison_group=comparison,
        achievement=spec.achievement,
        period=spec.period,
        programme_rate=mine.percent / 100,
        comparison_rate=theirs.percent / 100,
        programme_families=str(mine.denominator),
        comparison_families=str(theirs.denominator),
    )


def _has_columns(people: pa.Table, *columns: str) -> bool:
    return all(c in people.column_names for c in columns)


def _improved(con: duckdb.DuckDBPyConnection, group: str, pre: str, post: str) -> tuple[int, int]:
    """(families without the problem after, families with it before and observed after)."""
    row = con.execute(
        f"SELECT count(*) FILTER (WHERE {post} = 0), count(*) FROM fam "
        f"WHERE grp = ? AND {pre} = 1 AND {post} IS NOT NULL",
        [group],
    ).fetchall()[0]
    return int(row[0]), int(row[1])


def payment_by_results(release: Release, people: pa.Table, comparison: str) -> PaymentByResults | None:
    """The successful-family-outcome rate for programme families, beside the comparison group's."""
    problems = [
        p for p in PBR_PROBLEMS if _has_columns(people, f"{p}_pre12", *(f"{p}_{w}" for w in PBR_WINDOWS))
    ]
    if not problems:
        return None
    con = _family_frame(people)
    sql = _pbr_sql(
        problems,
        employment=_has_columns(people, "employment_pre12", *(f"employment_{w}" for w in PBR_WINDOWS)),
    )
    mine = release.add_proportion(*_pbr_counts(con, sql, PROGRAMME), name="pbr-programme")
    theirs = release.add_proportion(*_pbr_counts(con, sql, comparison), name="pbr-comparison")
    if mine.percent is None:
        return None
    compared = theirs.percent is not None
    return PaymentByResults(
        output_id="pbr-programme",
        definition=PBR_DEFINITION,
        successful_families=str(mine.numerator),
        assessed_families=str(mine.denominator),
        successful_rate=mine.percent / 100,
        comparison_group=comparison if compared else None,
        comparison_rate=theirs.percent / 100 if theirs.percent is not None else None,
        comparison_families=str(theirs.denominator) if compared else None,
        note="The comparison figure applies the same definition to the comparison families over the same "
        "windows after their pseudo-start."
        if compared
        else "The comparison group's figure was suppressed.",
    )


def _pbr_sql(problems: list[str], *, employment: bool) -> str:
    had_any = " OR ".join(f"{p}_pre12 = 1" for p in problems)
    observed = " AND ".join(
        f"(coalesce({p}_pre12, 0) = 0 OR ({' AND '.join(f'{p}_{w} IS NOT NULL' for w in PBR_WINDOWS)}))"
        for p in problems
    )
    cleared = " AND ".join(
        f"(coalesce({p}_pre12, 0) = 0 OR ({' AND '.join(f'{p}_{w} = 0' for w in PBR_WINDOWS)}))"
        for p in problems
    )
    into_work = (
        f"OR (employment_pre12 = 0 AND {' AND '.join(f'employment_{w} = 1' for w in PBR_WINDOWS)})"
        if employment
        else ""
    )
    return (
        f"SELECT count(*) FILTER (WHERE ({cleared}) {into_work}), count(*) FROM fam "
        f"WHERE grp = ? AND ({had_any}) AND {observed}"
    )


def _pbr_counts(con: duckdb.DuckDBPyConnection, sql: str, group: str) -> tuple[int, int]:
    row = con.execute(sql, [group]).fetchall()[0]
    return int(row[0]), int(row[1])
