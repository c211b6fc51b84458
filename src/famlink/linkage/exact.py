"""The exact pass: pairs that share a valid NHS number, NINO or UPN, checked against the rest.

A shared valid identifier is the strongest evidence there is, but about one record in a thousand
carries another person's identifier, often a relative's. So a shared identifier is accepted outright
only when the record corroborates it (first name close, and date of birth close or, with the surname
agreeing too, within five years: a wrong date is commoner than a borrowed identifier that also
carries the right names); when sex differs AND the
dates of birth are years apart it is a conflict for clerical review; anything in between is left to the
probabilistic pass, which weighs the identifier with everything else.
"""

from __future__ import annotations

import duckdb

from famlink.linkage.prepare import IDENTIFIER_KINDS

# SQL over a pair of records aliased l and r.
DOB_CLOSE = """(
    l.dob = r.dob
    OR (l.dob_y = r.dob_y AND l.dob_m = r.dob_d AND l.dob_d = r.dob_m)
    OR (l.dob_m = r.dob_m AND l.dob_d = r.dob_d AND abs(l.dob_y - r.dob_y) < 100)
    OR (l.dob_y = r.dob_y AND (l.dob_m = r.dob_m OR l.dob_d = r.dob_d))
)"""

FIRST_NAME_CLOSE = """(
    l.first_name_formal = r.first_name_formal
    OR jaro_winkler_similarity(l.first_name_std, r.first_name_std) >= 0.80
    OR l.first_name_std = r.middle_names_std OR l.middle_names_std = r.first_name_std
    OR (l.first_name_std = r.surname_std AND l.surname_std = r.first_name_std)
)"""

SURNAME_CLOSE = """(
    jaro_winkler_similarity(l.surname_std, r.surname_std) >= 0.80
    OR len(list_intersect(l.surname_parts, r.surname_parts)) > 0
)"""

SEX_AND_YEARS_CONFLICT = """(
    l.sex_std IS NOT NULL AND r.sex_std IS NOT NULL AND l.sex_std <> r.sex_std
    AND abs(datediff('day', l.dob, r.dob)) > 365
)"""


def _shared_identifier_pairs(left: str, right: str, dedupe: bool) -> str:
    order = " AND l.record_id < r.record_id" if dedupe else ""
    selects = [
        f"""SELECT l.record_id AS left_id, r.record_id AS right_id, '{kind}' AS kind
            FROM {left} l JOIN {right} r ON l.{kind}_std = r.{kind}_std
            WHERE l.{kind}_valid AND r.{kind}_valid{order}"""
        for kind in IDENTIFIER_KINDS
    ]
    return "\nUNION ALL\n".join(selects)


def run_exact_pass(con: duckdb.DuckDBPyConnection, left: str, right: str, *, dedupe: bool) -> None:
    """Create temp table `exact_pairs(left_id, right_id, decision, reason, kinds)`.

    decision is 'accept' (corroborated), 'review' (a conflict) or 'undecided' (left to Splink).
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE exact_pairs AS
        WITH shared AS (
            SELECT left_id, right_id, string_agg(kind, '+' ORDER BY kind) AS kinds
            FROM ({_shared_identifier_pairs(left, right, dedupe)}) GROUP BY left_id, right_id
        )
        SELECT s.left_id, s.right_id, s.kinds,
               CASE WHEN {SEX_AND_YEARS_CONFLICT} THEN 'review'
                    WHEN coalesce({FIRST_NAME_CLOSE}, false)
                     AND (l.dob IS NULL OR r.dob IS NULL OR {DOB_CLOSE}
                          OR (coalesce({SURNAME_CLOSE}, false) AND abs(l.dob_y - r.dob_y) <= 5))
                    THEN 'accept'
                    ELSE 'undecided' END AS decision,
               CASE WHEN {SEX_AND_YEARS_CONFLICT} THEN 'identifier_conflict' END AS reason
        FROM shared s
        JOIN {left} l ON l.record_id = s.left_id
        JOIN {right} r ON r.record_id = s.right_id
        """
    )
