"""The cohort profile and linkage quality, each count protected in the study's one `Release`.

Why every table goes through the same `Release`: the cohort is published several ways (people and
families by council and group, families by criterion, by number of problems). Each table alone may be
safe while two together reveal a small group by subtraction; the release checks them against each
other and keeps the one output-checking log the report carries. Shares are computed from the
*published* (rounded) counts, and left out wherever a count is suppressed, so a percentage can never
give a hidden count back.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pandas as pd
import pyarrow as pa

from famlink.disclosure import (
    SUPPRESSED_MARK,
    ProtectedTable,
    Release,
    protect_counts,
    protect_frequency_table,
)
from famlink.report.sections import (
    Cohort,
    CohortGroup,
    CountRow,
    CountTable,
    DepartmentLinkage,
    LinkageQuality,
)

GROUP_ORDER = ("programme", "later", "never")
GROUP_LABELS = {
    "programme": "Families on the programme",
    "later": "Families who joined later",
    "never": "Families assessed but never joined",
}
GROUP_DESCRIPTIONS = {
    "programme": "Families who joined and received a key worker; outcomes are measured from their "
    "start date.",
    "later": "Assessed as eligible and waiting for a place; their pseudo-start is the date they were put on "
    "the waiting list. Their outcomes stop counting once they join.",
    "never": "Assessed but never took part; their pseudo-start is the date they were assessed.",
}
CRITERIA = {
    "crime_asb": "Crime or anti-social behaviour",
    "school_attendance": "Children not attending school regularly",
    "children_need_help": "Children who need help",
    "worklessness": "Worklessness or financial exclusion",
    "domestic_abuse": "Domestic violence and abuse",
    "health": "Health problems",
}
DEPARTMENT_NAMES = {"dwp": "DWP", "moj": "MoJ", "dfe": "DfE"}


def family_frame(people: pa.Table) -> pd.DataFrame:
    """One row per family: its group, council, number of problems and each criterion met (0/1)."""
    con = duckdb.connect()
    con.register("study_people", people)
    criteria = [c for c in CRITERIA if c in people.column_names]
    flags = "".join(f", max(CAST({c} AS INTEGER)) AS {c}" for c in criteria)
    frame: pd.DataFrame = con.sql(
        'SELECT family_id, any_value("group") AS "group", any_value(council) AS council, '
        f"max(problems_met) AS problems_met{flags} FROM study_people GROUP BY family_id ORDER BY family_id"
    ).df()
    return frame


def shown(table: ProtectedTable, row: int, col: int) -> str:
    """A protected cell as the report prints it: the rounded count, or the suppression mark."""
    if table.suppressed[row, col]:
        return SUPPRESSED_MARK
    return str(int(table.published[row, col]))


def cohort_section(release: Release, people: pa.Table, families: pd.DataFrame) -> Cohort:
    """Families and people by council and group, families by criterion and by problems met."""
    groups = [g for g in GROUP_ORDER if g in set(families["group"])]
    people_frame = pd.DataFrame(
        {"council": people.column("council").to_pylist(), "group": people.column("group").to_pylist()}
    )
    fam = _add(release, families, "council", "group", "cohort-families", "families", groups)
    per = _add(release, people_frame, "council", "group", "cohort-people", "people", groups)
    total_row = len(fam.row_labels)
    group_parts = [
        CohortGroup(
            key=g,
            label=GROUP_LABELS[g],
            description=GROUP_DESCRIPTIONS[g],
            families=shown(fam, total_row, fam.col_labels.index(g)),
            people=shown(per, len(per.row_labels), per.col_labels.index(g)),
        )
        for g in groups
    ]
    totals = [group_parts[i].families for i in range(len(groups))]
    return Cohort(
        output_id="cohort-families",
        groups=group_parts,
        criteria_met=_criteria_table(release, families, groups, totals),
        problems_met=_problems_table(release, families, groups, totals),
        note="Families and people by council are in tables/cohort-families.csv and tables/cohort-people.csv.",
    )


def _add(
    release: Release, data: pd.DataFrame, rows: str, cols: str, name: str, measure: str, groups: list[str]
) -> ProtectedTable:
    frame = data[[rows, cols]].copy()
    frame[cols] = pd.Categorical(frame[cols], categories=groups, ordered=True)
    table = protect_frequency_table(frame, rows, cols, release.rules, name=name)
    return release.add_table(replace(table, measure=measure))


def _criteria_table(
    release: Release, families: pd.DataFrame, groups: list[str], totals: list[str]
) -> CountTable:
    """Families meeting each criterion: not a partition (families meet several), so no margins."""
    criteria = [c for c in CRITERIA if c in families.columns]
    counts = pd.DataFrame(
        [[int(families.loc[families["group"] == g, c].fillna(0).sum()) for g in groups] for c in criteria],
        index=[CRITERIA[c] for c in criteria],
        columns=groups,
    )
    table = protect_counts(
        counts, release.rules, name="cohort-criteria", row_var="criterion", col_var="group", margins=False
    )
    table = release.add_table(replace(table, measure="families meeting a criterion"))
    return _count_table(
        table,
        "Families meeting each headline criterion",
        "Criterion",
        groups,
        totals,
        note=("A family can meet several criteria, so columns add to more than the number of families."),
    )


def _problems_table(
    release: Release, families: pd.DataFrame, groups: list[str], totals: list[str]
) -> CountTable:
    frame = families[["problems_met", "group"]].copy()
    frame["problems_met"] = frame["problems_met"].map(
        lambda n: "unknown" if pd.isna(n) else f"{int(n)} problems"
    )
    frame["group"] = pd.Categorical(frame["group"], categories=groups, ordered=True)
    table = release.add_table(
        replace(
            protect_frequency_table(frame, "problems_met", "group", release.rules, name="cohort-problems"),
            measure="families",
        )
    )
    return _count_table(table, "Families by number of headline problems met", "Problems met", groups, totals)


def _count_table(
    table: ProtectedTable, title: str, header: str, groups: list[str], totals: list[str], note: str = ""
) -> CountTable:
    rows = []
    for i, label in enumerate(table.row_labels):
        counts = [shown(table, i, j) for j in range(len(groups))]
        rows.append(
            CountRow(
                label=label,
                counts=counts,
                percents=[_share(c, t) for c, t in zip(counts, totals, strict=True)],
            )
        )
    return CountTable(
        output_id=table.name, title=title, row_header=header, columns=groups, rows=rows, note=note
    )


def _share(count: str, total: str) -> float | None:
    """A share of two published counts; None when either is suppressed or the total is nil."""
    if SUPPRESSED_MARK in (count, total) or int(total) == 0:
        return None
    return round(int(count) / int(total), 3)


def linkage_section(release: Release, con: duckdb.DuckDBPyConnection) -> LinkageQuality:
    """Requests matched and not matched per department (a partition, so requests are its totals)."""
    quality = _linkage_values(con)
    if quality.empty:
        return LinkageQuality(departments=[], truth_note="The research store holds no match-quality summary.")
    departments = sorted(quality.index)
    counts = pd.DataFrame(
        {
            "matched": [int(quality.loc[d, "matched"]) for d in departments],
            "not matched": [int(quality.loc[d, "requests"] - quality.loc[d, "matched"]) for d in departments],
        },
        index=departments,
    )
    table = release.add_table(
        replace(
            protect_counts(counts, release.rules, name="linkage", row_var="department", col_var="match"),
            measure="requests",
        )
    )
    review = _review_table(release, quality, departments)
    parts = []
    total_col = len(table.col_labels)
    for i, department in enumerate(departments):
        matched, submitted = shown(table, i, 0), shown(table, i, total_col)
        if SUPPRESSED_MARK in (matched, submitted) or int(submitted) == 0:
            continue
        parts.append(
            DepartmentLinkage(
                output_id="linkage",
                department=DEPARTMENT_NAMES.get(department, department.upper()),
                submitted=submitted,
                matched=matched,
                match_rate=round(int(matched) / int(submitted), 3),
                clerical_review=None if review is None else shown(review, i, 0),
            )
        )
    note = (
        "Match rates are computed from the published (rounded) counts. Clerical review counts are candidate "
        "record pairs sent for a person to check, not people."
    )
    return LinkageQuality(departments=parts, truth_note=note)


def _review_table(release: Release, quality: pd.DataFrame, departments: list[str]) -> ProtectedTable | None:
    if "review_pairs" not in quality.columns:
        return None
    counts = pd.DataFrame(
        {"pairs": [int(quality["review_pairs"].astype("int64")[d]) for d in departments]}, index=departments
    )
    table = protect_counts(counts, release.rules, name="linkage-review", row_var="department", col_var=None)
    return release.add_table(replace(table, measure="review pairs"))


def _linkage_values(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'linkage_quality' "
        "AND database_name = current_database() AND schema_name = current_schema()"
    ).fetchall()
    if not found[0][0]:
        return pd.DataFrame()
    long: pd.DataFrame = con.sql("SELECT department, measure, value FROM linkage_quality").df()
    wide = long.pivot_table(index="department", columns="measure", values="value", aggfunc="sum").fillna(0)
    if not {"requests", "matched"} <= set(wide.columns):
        return pd.DataFrame()
    return wide
