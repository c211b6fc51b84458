"""Turn the council's event tables into one row per (child, reference date): features, target, rule.

The one rule that matters here is time: every feature uses only records dated strictly before the
reference date (school terms only once they have ended), and the target uses only records from the
reference date onwards. A property test checks the first half by deleting and rewriting the future
and asserting the features do not move.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from famlink.risk.catalogue import EVENT_KINDS, FEATURE_NAMES, RECENCY_CAP_DAYS, TERM_COMPLETE_MONTHS
from famlink.risk.sources import LoadedSources

HEADLINE_PROBLEMS: dict[str, tuple[str, ...]] = {
    "crime_or_asb": ("police_offence", "police_asb"),
    "children_need_help": (
        "social_care_contact",
        "social_care_referral",
        "social_care_cin_start",
        "social_care_cpp_start",
        "social_care_lac_start",
    ),
    "worklessness_or_debt": (
        "benefits_debt_out_of_work_benefit",
        "benefits_debt_problem_debt",
        "benefits_debt_council_tax_arrears",
        "benefits_debt_neet",
    ),
    "domestic_abuse": ("domestic_abuse_victim", "domestic_abuse_perpetrator"),
    "health": ("health_mental_health", "health_substance_misuse", "health_accidents"),
}
"""Five of the six headline problems, read from events in the family in the 12 months before the
reference date; the sixth (school) is read from completed terms (absence >= 10% or 2+ exclusions)."""
TARGET_KINDS = ("social_care_cpp_start", "social_care_lac_start")
ATTRIBUTE_COLUMNS = ("sex", "ethnicity", "disability", "deprivation")


def _examples_sql(ref_dates: Sequence[date], min_age: int, max_age: int) -> str:
    refs = ", ".join(f"(DATE '{d.isoformat()}')" for d in ref_dates)
    return f"""
    CREATE OR REPLACE TABLE examples AS
    WITH refs(ref_date) AS (VALUES {refs})
    SELECT p.record_id, p.family_ref, r.ref_date,
           date_diff('year', p.dob, r.ref_date)
             - CASE WHEN strftime(r.ref_date, '%m%d') < strftime(p.dob, '%m%d') THEN 1 ELSE 0 END
             AS age_years,
           coalesce(p.sex, 'unknown') AS sex, coalesce(p.ethnicity, 'unknown') AS ethnicity,
           p.disability,
           CASE WHEN p.imd_decile IS NULL THEN 'unknown'
                WHEN p.imd_decile <= 2 THEN 'IMD 1-2 (most deprived)'
                WHEN p.imd_decile <= 4 THEN 'IMD 3-4'
                WHEN p.imd_decile <= 6 THEN 'IMD 5-6'
                WHEN p.imd_decile <= 8 THEN 'IMD 7-8'
                ELSE 'IMD 9-10 (least deprived)' END AS deprivation
    FROM people p CROSS JOIN refs r
    WHERE p.dob IS NOT NULL AND p.dob < r.ref_date
    """


def _build_examples(src: LoadedSources, ref_dates: Sequence[date], min_age: int, max_age: int) -> None:
    con = src.con
    con.execute(_examples_sql(ref_dates, min_age, max_age))
    con.execute(f"DELETE FROM examples WHERE age_years < {min_age} OR age_years > {max_age}")
    # Children who started a plan or care in the past year are already known at the top level of
    # children's services; flagging them for early help would be meaningless, so they are left out.
    con.execute(
        f"""
        DELETE FROM examples x WHERE EXISTS (
          SELECT 1 FROM events e WHERE e.record_id = x.record_id AND e.kind IN {TARGET_KINDS}
          AND e.date < x.ref_date AND e.date >= x.ref_date - INTERVAL 12 MONTH)
        """
    )


def _event_feature_sql() -> str:
    parts: list[str] = []
    for kind in EVENT_KINDS:
        k = f"ev.kind = '{kind}'"
        parts.append(
            f"count(*) FILTER (WHERE {k} AND ev.record_id = x.record_id "
            f"AND ev.date >= x.ref_date - INTERVAL 12 MONTH) AS {kind}__child_12m"
        )
        parts.append(
            f"count(*) FILTER (WHERE {k} AND ev.date >= x.ref_date - INTERVAL 12 MONTH) AS {kind}__family_12m"
        )
        parts.append(
            f"count(*) FILTER (WHERE {k} AND ev.date >= x.ref_date - INTERVAL 3 MONTH) AS {kind}__family_3m"
        )
        parts.append(
            f"least(coalesce(min(date_diff('day', ev.date, x.ref_date)) FILTER (WHERE {k}), "
            f"{RECENCY_CAP_DAYS}), {RECENCY_CAP_DAYS}) AS {kind}__family_days_since"
        )
    return ",\n".join(parts)


def _event_features(src: LoadedSources) -> pd.DataFrame:
    return src.con.execute(
        f"""
        WITH fam_events AS (
          SELECT e.record_id, p.family_ref, e.date, e.kind
          FROM events e JOIN people p USING (record_id))
        SELECT x.record_id, x.ref_date, {_event_feature_sql()}
        FROM examples x LEFT JOIN fam_events ev
          ON ev.family_ref = x.family_ref AND ev.date < x.ref_date
         AND ev.date >= x.ref_date - INTERVAL {RECENCY_CAP_DAYS} DAY
        GROUP BY x.record_id, x.ref_date
        """
    ).df()


def _school_features(src: LoadedSources) -> pd.DataFrame:
    done = f"s.term_start + INTERVAL {TERM_COMPLETE_MONTHS} MONTH <= x.ref_date"
    recent = f"s.term_start >= x.ref_date - INTERVAL {12 + TERM_COMPLETE_MONTHS} MONTH"
    return src.con.execute(
        f"""
        WITH fam_school AS (SELECT s.*, p.family_ref FROM school s JOIN people p USING (record_id)),
        member AS (
          SELECT x.record_id AS child, x.ref_date, s.record_id AS member,
                 sum(s.sessions_missed) AS missed, sum(s.sessions_possible) AS possible,
                 sum(s.exclusions) AS exclusions
          FROM examples x JOIN fam_school s ON s.family_ref = x.family_ref AND {done} AND {recent}
          GROUP BY ALL)
        SELECT child AS record_id, ref_date,
               coalesce(sum(missed) FILTER (WHERE member = child)
                 / nullif(sum(possible) FILTER (WHERE member = child), 0), 0) AS school_absence_rate_12m,
               coalesce(sum(exclusions) FILTER (WHERE member = child), 0) AS school_exclusions_12m,
               coalesce(sum(missed) / nullif(sum(possible), 0), 0) AS family_school_absence_rate_12m,
               max(CASE WHEN missed / nullif(possible, 0) >= 0.10 OR exclusions >= 2 THEN 1 ELSE 0 END)
                 AS school_problem
        FROM member GROUP BY child, ref_date
        """
    ).df()


def _target_and_rule(src: LoadedSources, horizon_months: int) -> pd.DataFrame:
    problem_cols = ",\n".join(
        f"max(CASE WHEN ev.kind IN {kinds} THEN 1 ELSE 0 END) AS {name}"
        for name, kinds in HEADLINE_PROBLEMS.items()
    )
    problems_out = ", ".join(f"coalesce(p.{n}, 0) AS {n}" for n in HEADLINE_PROBLEMS)
    return src.con.execute(
        f"""
        WITH fam_events AS (
          SELECT e.record_id, p.family_ref, e.date, e.kind FROM events e JOIN people p USING (record_id)),
        problems AS (
          SELECT x.record_id, x.ref_date, {problem_cols}
          FROM examples x JOIN fam_events ev ON ev.family_ref = x.family_ref
           AND ev.date < x.ref_date AND ev.date >= x.ref_date - INTERVAL 12 MONTH
          GROUP BY x.record_id, x.ref_date),
        target AS (
          SELECT x.record_id, x.ref_date, 1 AS label
          FROM examples x JOIN events ev ON ev.record_id = x.record_id AND ev.kind IN {TARGET_KINDS}
           AND ev.date >= x.ref_date AND ev.date < x.ref_date + INTERVAL {horizon_months} MONTH
          GROUP BY x.record_id, x.ref_date)
        SELECT x.*, coalesce(t.label, 0) AS label, {problems_out},
               (SELECT count(*) FROM people q WHERE q.family_ref = x.family_ref AND q.dob IS NOT NULL
                  AND q.dob < x.ref_date AND q.dob > x.ref_date - INTERVAL 18 YEAR) AS children_in_family
        FROM examples x LEFT JOIN problems p USING (record_id, ref_date)
        LEFT JOIN target t USING (record_id, ref_date)
        """
    ).df()


def build_examples(
    src: LoadedSources,
    ref_dates: Sequence[date],
    *,
    horizon_months: int = 12,
    min_age: int = 0,
    max_age: int = 17,
) -> pd.DataFrame:
    """One row per child per reference date: ids, attributes, features, `label`, `rule_problems`.

    `label` is 1 if the child starts a child protection plan or becomes looked after in the
    `horizon_months` from the reference date; callers must only trust it where that whole window
    lies inside the data (see `split.usable_reference_dates`).
    """
    if not ref_dates:
        return pd.DataFrame(columns=["record_id", "ref_date", *FEATURE_NAMES])
    _build_examples(src, ref_dates, min_age, max_age)
    base = _target_and_rule(src, horizon_months)
    keys = ["record_id", "ref_date"]
    frame = base.merge(_event_features(src), on=keys, how="left").merge(
        _school_features(src), on=keys, how="left"
    )
    frame["school_problem"] = frame["school_problem"].fillna(0).astype(int)
    problem_names = [*HEADLINE_PROBLEMS, "school_problem"]
    frame["rule_problems"] = frame[problem_names].sum(axis=1).astype(int)
    for name in FEATURE_NAMES:
        default = RECENCY_CAP_DAYS if name.endswith("_days_since") else 0
        frame[name] = frame[name].fillna(default).astype(float)
    frame["ref_date"] = pd.to_datetime(frame["ref_date"]).dt.date
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)
