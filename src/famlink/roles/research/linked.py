"""Assemble the research linked dataset (spec C) from what research received.

Research receives three kinds of package: council attributes keyed by per-export council references,
the agent's key maps, and departments' outcomes keyed by request references. Joining them through
the key maps gives tables keyed by research person id only: no names, dates of birth, addresses or
any party's own record ids survive into the linked dataset.
"""

from __future__ import annotations

import duckdb

COHORT_SQL = """
    CREATE OR REPLACE TABLE cohort AS
    SELECT * EXCLUDE (rank) FROM (
        SELECT k.person_id, k.family_id, a.council, a."group", a.start_date, a.joined_later_on,
               a.relationship AS role, a.sex, a.age_at_start, a.problems_met, a.crime_asb, a.domestic_abuse,
               a.children_need_help, a.health, a.school_attendance, a.worklessness,
               a.ethnicity, a.disability, a.imd_decile,
               row_number() OVER (PARTITION BY k.person_id
                                  ORDER BY a."group" = 'programme' DESC, a.start_date, a.council) AS rank
        FROM attributes a
        JOIN council_key_map k ON k.council = a.council AND k.council_ref = a.council_ref
    ) WHERE rank = 1
    ORDER BY person_id
"""

OUTCOME_TABLES: dict[str, tuple[str, str, str]] = {
    # linked table: (department, received table, its columns after request_ref)
    "moj_events": ("moj", "events", "date, event, juvenile"),
    "dwp_benefit_spells": ("dwp", "benefit_spells", "benefit, start_date, end_date"),
    "dwp_employment_spells": ("dwp", "employment_spells", "start_date, end_date"),
    "dfe_attendance": (
        "dfe",
        "attendance",
        "academic_year, term, term_start, sessions_possible, sessions_missed",
    ),
    "dfe_exclusions": ("dfe", "exclusions", "date, kind"),
    "dfe_attainment": ("dfe", "attainment", "key_stage, year, score"),
    "dfe_children_in_need": ("dfe", "children_in_need", "episode, start_date, end_date"),
}


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name]).fetchall()
    return bool(found[0][0])


def assemble_linked_dataset(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Create `cohort` and the spec-C outcome tables; returns their row counts."""
    con.execute(COHORT_SQL)
    counts = {"cohort": _count(con, "cohort")}
    for linked, (department, received, columns) in OUTCOME_TABLES.items():
        if not _table_exists(con, received):
            continue
        select = ", ".join(f"o.{c.strip()}" for c in columns.split(","))
        con.execute(
            f"""
            CREATE OR REPLACE TABLE {linked} AS
            SELECT DISTINCT m.person_id, {select}
            FROM {received} o
            JOIN request_key_map m ON m.request_ref = o.request_ref AND m.department = '{department}'
            JOIN cohort c ON c.person_id = m.person_id
            ORDER BY ALL
            """
        )
        counts[linked] = _count(con, linked)
    con.execute(
        "CREATE OR REPLACE TABLE linkage_quality AS SELECT department, measure, sum(value) AS value "
        "FROM match_quality GROUP BY ALL ORDER BY ALL"
    )
    return counts


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return int(con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])
