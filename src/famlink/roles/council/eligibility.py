"""Decide phase-2 eligibility for every assessed family, keeping the evidence for each criterion.

Input tables on the connection (the council store's own, see spec A): `people`, `assessments`
(family_ref, assessed_date) and the local event tables. Output tables:
- `criteria_evidence`: one row per family × criterion × member × source that supports it;
- `eligibility`: one row per assessed family with a boolean per criterion, `problems_met` and
  `eligible` (two or more problems).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from famlink.roles.council.criteria import CRITERIA, ELIGIBLE_MIN_PROBLEMS


@dataclass(frozen=True)
class EvidenceLine:
    """One reason a family met a criterion, in words a family or an auditor can follow."""

    criterion: str
    source: str
    member_ref: str
    events: int
    latest: str

    def sentence(self) -> str:
        return (
            f"{self.criterion}: {self.events} record(s) in {self.source.replace('_', ' ')} data for "
            f"member {self.member_ref}, latest {self.latest}"
        )


def decide_eligibility(con: duckdb.DuckDBPyConnection) -> None:
    """Create `criteria_evidence` and `eligibility` from the loaded local data."""
    unions = " UNION ALL ".join(
        f"SELECT '{c.code}' AS criterion, * FROM ({c.evidence_sql})" for c in CRITERIA
    )
    con.execute(
        f"CREATE OR REPLACE TABLE criteria_evidence AS {unions} ORDER BY family_ref, criterion, member_ref"
    )
    flags = ",\n".join(f"coalesce(bool_or(e.criterion = '{c.code}'), false) AS {c.code}" for c in CRITERIA)
    con.execute(
        f"""
        CREATE OR REPLACE TABLE eligibility AS
        SELECT a.family_ref, a.assessed_date, {flags},
               count(DISTINCT e.criterion) AS problems_met,
               count(DISTINCT e.criterion) >= {ELIGIBLE_MIN_PROBLEMS} AS eligible
        FROM assessments a
        LEFT JOIN criteria_evidence e ON e.family_ref = a.family_ref
        GROUP BY a.family_ref, a.assessed_date
        ORDER BY a.family_ref
        """
    )


def explain_family(con: duckdb.DuckDBPyConnection, family_ref: str) -> list[EvidenceLine]:
    """The evidence behind one family's eligibility, criterion by criterion."""
    titles = {c.code: c.title for c in CRITERIA}
    rows = con.execute(
        "SELECT criterion, source, member_ref, events, CAST(latest AS VARCHAR) FROM criteria_evidence "
        "WHERE family_ref = ? ORDER BY criterion, member_ref, source",
        [family_ref],
    ).fetchall()
    return [EvidenceLine(titles[r[0]], r[1], str(r[2]), int(r[3]), r[4]) for r in rows]
