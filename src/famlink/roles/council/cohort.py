"""Build the study cohort: programme families and the comparison families, from the case list.

Groups follow the real evaluation (docs/reference/eligibility.md):
- `programme`: eligible families who joined; their start date is the date they joined;
- `later`: eligible families who were put on the waiting list and joined later — the comparison group
  the 2019 evaluation used; their pseudo-start is the date they were put on the waiting list, and
  their own join date is kept so outcomes can be censored once they are treated;
- `never`: eligible families assessed who never joined; pseudo-start is the assessment date.
Families not found eligible by `decide_eligibility` are left out of the cohort (but kept in the store).
"""

from __future__ import annotations

import duckdb

COHORT_GROUPS = ("programme", "later", "never")


def build_cohort(con: duckdb.DuckDBPyConnection) -> None:
    """Create `cohort` (one row per person of an eligible family) from `case_list` and `eligibility`."""
    con.execute(
        """
        CREATE OR REPLACE TABLE cohort AS
        SELECT c.record_id, c.family_ref, c.relationship,
               CASE c.status WHEN 'joined' THEN 'programme' WHEN 'waiting' THEN 'later' ELSE 'never' END
                   AS "group",
               CASE c.status
                   WHEN 'joined' THEN c.start_date
                   WHEN 'waiting' THEN coalesce(c.waiting_list_date, c.assessed_date)
                   ELSE c.assessed_date END AS start_date,
               CASE WHEN c.status = 'waiting' THEN c.start_date END AS joined_later_on,
               e.problems_met, e.crime_asb, e.school, e.children_need_help, e.worklessness,
               e.domestic_abuse, e.health
        FROM case_list c
        JOIN eligibility e ON e.family_ref = c.family_ref
        WHERE e.eligible
        ORDER BY c.family_ref, c.record_id
        """
    )
