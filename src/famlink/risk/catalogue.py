"""The features the model may use, each with the plain words a practitioner reads in an explanation.

Keeping names and wording in one table means an explanation can never mention a factor the model
does not use, and the model card can list every input. Protected characteristics (sex, ethnicity,
disability, area deprivation) are deliberately absent: they are used only to audit fairness.
"""

from __future__ import annotations

from dataclasses import dataclass

EVENT_KINDS: dict[str, str] = {
    "police_offence": "police-recorded offence(s)",
    "police_asb": "anti-social behaviour incident(s)",
    "social_care_contact": "contact(s) with children's social care",
    "social_care_referral": "referral(s) to children's social care",
    "social_care_cin_start": "child-in-need episode(s) started",
    "social_care_cpp_start": "earlier child protection plan(s)",
    "social_care_lac_start": "earlier period(s) looked after",
    "domestic_abuse_victim": "domestic abuse incident(s) with a victim in the family",
    "domestic_abuse_perpetrator": "domestic abuse incident(s) with a perpetrator in the family",
    "housing_rent_arrears": "rent arrears record(s)",
    "housing_eviction_risk": "eviction-risk record(s)",
    "housing_homeless": "homelessness record(s)",
    "benefits_debt_out_of_work_benefit": "out-of-work benefit record(s)",
    "benefits_debt_problem_debt": "problem debt record(s)",
    "benefits_debt_council_tax_arrears": "council tax arrears record(s)",
    "benefits_debt_neet": "record(s) of a young person not in education, employment or training",
    "health_mental_health": "mental health flag(s)",
    "health_substance_misuse": "substance misuse flag(s)",
    "health_accidents": "accident flag(s)",
}
"""Every dated event kind the council's local tables hold (source + '_' + event), in words."""

RECENCY_CAP_DAYS = 1095
"""'Days since the last event' is capped at three years; the cap also means 'none in three years'."""
TERM_COMPLETE_MONTHS = 4
"""A school term's attendance is known only once it has ended: terms count if they started this many
months or more before the reference date (a term is at most about 4 months long)."""


@dataclass(frozen=True)
class Feature:
    """One model input: its column name and how to say its value in words."""

    name: str
    kind: str
    scope: str  # 'child' or 'family'
    window: str  # '3m', '12m', 'recency', or 'static'


def _event_features() -> list[Feature]:
    features: list[Feature] = []
    for kind in EVENT_KINDS:
        features.append(Feature(f"{kind}__child_12m", kind, "child", "12m"))
        features.append(Feature(f"{kind}__family_12m", kind, "family", "12m"))
        features.append(Feature(f"{kind}__family_3m", kind, "family", "3m"))
        features.append(Feature(f"{kind}__family_days_since", kind, "family", "recency"))
    return features


SCHOOL_FEATURES = (
    Feature("school_absence_rate_12m", "school_absence", "child", "12m"),
    Feature("school_exclusions_12m", "school_exclusions", "child", "12m"),
    Feature("family_school_absence_rate_12m", "school_absence", "family", "12m"),
)
STATIC_FEATURES = (
    Feature("age_years", "age", "child", "static"),
    Feature("children_in_family", "children", "family", "static"),
)
FEATURES: tuple[Feature, ...] = (*_event_features(), *SCHOOL_FEATURES, *STATIC_FEATURES)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
BY_NAME: dict[str, Feature] = {f.name: f for f in FEATURES}


def describe(name: str, value: float) -> str:
    """Say one feature's value in plain words, e.g. '3 anti-social behaviour incident(s) in the family
    in the 12 months before the reference date'."""
    feature = BY_NAME[name]
    if feature.kind in EVENT_KINDS:
        what = EVENT_KINDS[feature.kind]
        whose = "for the child" if feature.scope == "child" else "in the family"
        if feature.window == "recency":
            if value >= RECENCY_CAP_DAYS:
                return f"no {what} {whose} in the three years before the reference date"
            return f"the latest of the {what} {whose} was {int(value)} days before the reference date"
        months = "12" if feature.window == "12m" else "3"
        return f"{int(value)} {what} {whose} in the {months} months before the reference date"
    if name == "school_absence_rate_12m":
        return f"missed {value:.0%} of school sessions in terms completed in the last 12 months"
    if name == "family_school_absence_rate_12m":
        return (
            f"children in the family missed {value:.0%} of sessions in terms completed in the last 12 months"
        )
    if name == "school_exclusions_12m":
        return f"{int(value)} school exclusion(s) in terms completed in the last 12 months"
    if name == "age_years":
        return f"aged {int(value)} at the reference date"
    return f"{int(value)} child(ren) in the family on the council's person index"
