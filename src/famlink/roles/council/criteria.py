"""The six headline problems of phase 2, each decided from the council's own multi-agency data.

Each criterion is one SQL query that returns *evidence rows* — which family, which criterion, which
member (by the council's own person reference), which source, how many events, the latest date — so
that every family's eligibility can be explained line by line (the programme required this), not just
a yes/no flag. The look-back window and thresholds are named constants, documented in
docs/reference/eligibility.md.
"""

from __future__ import annotations

from dataclasses import dataclass

LOOKBACK_MONTHS = 12
PERSISTENT_ABSENCE_RATE = 0.10
REPEATED_EXCLUSIONS = 2


@dataclass(frozen=True)
class Criterion:
    """One headline problem: its number and name as the programme states them, and its evidence query."""

    number: int
    code: str
    title: str
    evidence_sql: str


def _events(table: str, where: str, source: str) -> str:
    """Evidence from an event table: members with a qualifying event in the look-back window."""
    return f"""
        SELECT p.family_ref, e.record_id AS member_ref, '{source}' AS source,
               count(*) AS events, max(e.date) AS latest
        FROM {table} e
        JOIN people p ON p.record_id = e.record_id
        JOIN assessments a ON a.family_ref = p.family_ref
        WHERE e.date < a.assessed_date
          AND e.date >= a.assessed_date - INTERVAL {LOOKBACK_MONTHS} MONTH
          AND ({where})
        GROUP BY ALL
    """


_SCHOOL = f"""
    SELECT p.family_ref, s.record_id AS member_ref, 'school' AS source,
           count(*) AS events, max(s.term_start) AS latest
    FROM school s
    JOIN people p ON p.record_id = s.record_id
    JOIN assessments a ON a.family_ref = p.family_ref
    WHERE s.term_start < a.assessed_date
      AND s.term_start >= a.assessed_date - INTERVAL {LOOKBACK_MONTHS} MONTH
    GROUP BY ALL
    HAVING sum(s.sessions_missed) >= {PERSISTENT_ABSENCE_RATE} * nullif(sum(s.sessions_possible), 0)
        OR sum(s.exclusions) >= {REPEATED_EXCLUSIONS}
"""

CRITERIA: tuple[Criterion, ...] = (
    Criterion(1, "crime_asb", "Crime or anti-social behaviour", _events("police", "true", "police")),
    Criterion(2, "school", "Children not attending school regularly", _SCHOOL),
    Criterion(
        3,
        "children_need_help",
        "Children who need help",
        _events("social_care", "e.event IN ('referral','cin_start','cpp_start','lac_start')", "social_care"),
    ),
    Criterion(
        4,
        "worklessness",
        "Worklessness or financial exclusion",
        _events(
            "benefits_debt",
            "e.event IN ('out_of_work_benefit','problem_debt','council_tax_arrears','neet')",
            "benefits_debt",
        ),
    ),
    Criterion(
        5,
        "domestic_abuse",
        "Domestic violence and abuse",
        _events("domestic_abuse", "true", "domestic_abuse"),
    ),
    Criterion(6, "health", "Health problems", _events("health", "true", "health")),
)

CRITERION_CODES: tuple[str, ...] = tuple(c.code for c in CRITERIA)
ELIGIBLE_MIN_PROBLEMS = 2
