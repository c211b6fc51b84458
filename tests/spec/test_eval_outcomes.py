"""Outcome definitions on small readable cases (docs/reference/outcomes.md says the same in words).

Each test is a cohort of one or two people, a few event rows, and the expected value per window.
Windows are half-open [start, end) in calendar months from the start date; spells count when they
overlap a window (the end date is inclusive); NULL means "not eligible / not observed", never 0.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from famlink.errors import InputFileError
from famlink.evaluation.outcomes import family_outcomes, person_outcomes

D = dt.date
WINDOW_ORDER = ("pre12", "m0_6", "m7_12", "m13_18", "m19_24")


def cohort(*people: tuple[str, str, dt.date, int]) -> pa.Table:
    return pa.table(
        {
            "person_id": [p[0] for p in people],
            "family_id": [p[1] for p in people],
            "start_date": pa.array([p[2] for p in people], pa.date32()),
            "age_at_start": [p[3] for p in people],
        }
    )


def moj(*rows: tuple[str, dt.date, str, bool]) -> pa.Table:
    return pa.table(
        {
            "person_id": [r[0] for r in rows],
            "date": pa.array([r[1] for r in rows], pa.date32()),
            "event": [r[2] for r in rows],
            "juvenile": [r[3] for r in rows],
        }
    )


def spells(*rows: tuple[str, str, dt.date, dt.date | None], kind: str = "episode") -> pa.Table:
    return pa.table(
        {
            "person_id": [r[0] for r in rows],
            kind: [r[1] for r in rows],
            "start_date": pa.array([r[2] for r in rows], pa.date32()),
            "end_date": pa.array([r[3] for r in rows], pa.date32()),
        }
    )


def windows(table: pa.Table, outcome: str, person: str) -> tuple[float | None, ...]:
    row = table.to_pylist()[table.column("person_id").to_pylist().index(person)]
    return tuple(row[f"{outcome}_{w}"] for w in WINDOW_ORDER)


ADULT = ("a", "f1", D(2016, 1, 31), 35)


def test_event_windows_are_half_open_in_calendar_months() -> None:
    events = moj(
        ("a", D(2015, 1, 31), "offence", False),  # exactly 12 months before: first day of pre12
        ("a", D(2016, 1, 31), "conviction", False),  # the start day itself: 0-6
        ("a", D(2016, 7, 31), "custody", False),  # start + 6 months: first day of 7-12, not 0-6
    )
    out = person_outcomes(cohort(ADULT), {"moj_events": events})
    assert windows(out, "offence", "a") == (1, 0, 0, 0, 0)
    assert windows(out, "conviction", "a") == (0, 1, 0, 0, 0)
    assert windows(out, "adult_custody", "a") == (0, 0, 1, 0, 0)


def test_events_just_outside_the_twelve_months_before_are_ignored() -> None:
    events = moj(("a", D(2015, 1, 30), "offence", False), ("a", D(2018, 1, 31), "offence", False))
    out = person_outcomes(cohort(ADULT), {"moj_events": events})
    assert windows(out, "offence", "a") == (0, 0, 0, 0, 0)


def test_custody_is_split_by_the_juvenile_flag_and_by_age_eligibility() -> None:
    people = cohort(ADULT, ("j", "f1", D(2016, 1, 31), 14), ("c", "f1", D(2016, 1, 31), 8))
    events = moj(("j", D(2016, 3, 1), "custody", True), ("j", D(2016, 3, 1), "conviction", True))
    out = person_outcomes(people, {"moj_events": events})
    assert windows(out, "juvenile_custody", "j") == (0, 1, 0, 0, 0)
    assert windows(out, "juvenile_conviction", "j") == (0, 1, 0, 0, 0)
    assert windows(out, "adult_custody", "j") == (None,) * 5  # a 14-year-old is not an adult
    assert windows(out, "juvenile_custody", "a") == (None,) * 5
    assert windows(out, "offence", "c") == (None,) * 5  # under the age of criminal responsibility


def test_spells_count_in_every_window_they_overlap_with_inclusive_end_dates() -> None:
    benefit = spells(
        ("a", "ESA", D(2015, 6, 1), D(2016, 1, 31)),  # ends on the start day: pre12 and 0-6
        ("a", "UC", D(2017, 9, 1), None),  # open-ended: 19-24 onwards
        kind="benefit",
    )
    work = spells(("a", "-", D(2016, 7, 1), D(2016, 7, 30)), kind="unused")  # ends before 7-12 starts
    out = person_outcomes(
        cohort(ADULT),
        {"dwp_benefit_spells": benefit, "dwp_employment_spells": work.drop_columns(["unused"])},
    )
    assert windows(out, "out_of_work_benefit", "a") == (1, 1, 0, 0, 1)
    assert windows(out, "employment", "a") == (0, 1, 0, 0, 0)


def test_children_in_need_episodes_and_their_nesting() -> None:
    child = ("c", "f1", D(2016, 1, 31), 6)
    episodes = spells(("c", "cpp", D(2016, 9, 1), D(2016, 10, 1)), ("c", "lac", D(2017, 3, 1), None))
    out = person_outcomes(cohort(child, ADULT), {"dfe_children_in_need": episodes})
    assert windows(out, "child_protection_plan", "c") == (0, 0, 1, 0, 0)
    assert windows(out, "looked_after", "c") == (0, 0, 0, 1, 1)
    assert windows(out, "child_in_need", "c") == (0, 0, 1, 1, 1)  # CPP and LAC children are in need
    assert windows(out, "looked_after", "a") == (None,) * 5  # adults are not eligible


def test_absence_rate_sums_sessions_of_terms_starting_in_the_window() -> None:
    child = ("c", "f1", D(2016, 1, 31), 9)
    attendance = pa.table(
        {
            "person_id": ["c", "c", "c"],
            "term_start": pa.array([D(2016, 2, 1), D(2016, 4, 15), D(2016, 9, 1)], pa.date32()),
            "sessions_possible": [100, 100, 200],
            "sessions_missed": [5, 15, 19],
        }
    )
    out = person_outcomes(cohort(child, ADULT), {"dfe_attendance": attendance})
    assert windows(out, "absence_rate", "c") == (None, 0.10, 0.095, None, None)
    assert windows(out, "persistent_absence", "c") == (None, 1, 0, None, None)  # 10% exactly is persistent
    assert windows(out, "absence_rate", "a") == (None,) * 5


def test_exclusions_only_for_school_age_children() -> None:
    people = cohort(("c", "f1", D(2016, 1, 31), 12), ("t", "f1", D(2016, 1, 31), 3))
    exclusions = pa.table(
        {"person_id": ["c"], "date": pa.array([D(2016, 2, 2)], pa.date32()), "kind": ["fixed"]}
    )
    out = person_outcomes(people, {"dfe_exclusions": exclusions})
    assert windows(out, "exclusion", "c") == (0, 1, 0, 0, 0)
    assert windows(out, "exclusion", "t")[:2] == (None, None)  # a 3-year-old is not at school


def test_windows_after_the_end_of_observation_are_null() -> None:
    out = person_outcomes(cohort(ADULT), {"moj_events": moj()}, observed_until=D(2017, 1, 30))
    assert windows(out, "offence", "a") == (0, 0, 0, None, None)


def test_family_outcome_is_any_eligible_member() -> None:
    people = cohort(ADULT, ("b", "f1", D(2016, 1, 31), 40), ("z", "f2", D(2016, 1, 31), 30))
    out = family_outcomes(
        person_outcomes(people, {"moj_events": moj(("b", D(2016, 2, 1), "offence", False))})
    )
    rows = {r["family_id"]: r for r in out.to_pylist()}
    assert (rows["f1"]["offence_m0_6"], rows["f2"]["offence_m0_6"]) == (1, 0)
    assert rows["f1"]["members"] == 2


def test_unknown_source_tables_and_missing_columns_are_refused() -> None:
    with pytest.raises(InputFileError, match="unknown outcome source"):
        person_outcomes(cohort(ADULT), {"police": moj()})
    with pytest.raises(InputFileError, match="lacks column"):
        person_outcomes(cohort(ADULT).drop_columns(["age_at_start"]), {"moj_events": moj()})
