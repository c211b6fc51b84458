"""Features, target and the simple rule on small hand-made tables; and no feature sees the future."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from famlink.risk.catalogue import FEATURE_NAMES, RECENCY_CAP_DAYS
from famlink.risk.features import build_examples
from famlink.risk.sources import load_council_sources
from tests.risk_support import EVENT_TABLES, write_local

REF = date(2018, 6, 1)
FAMILY = [
    {"record_id": "C1", "family_ref": "F1", "date_of_birth": "2010-03-04"},
    {"record_id": "A1", "family_ref": "F1", "date_of_birth": "1985-01-01"},
    {"record_id": "C2", "family_ref": "F2", "date_of_birth": "04/05/2012"},
]


def _row(frame: pd.DataFrame, ref: str, when: date = REF) -> pd.Series:
    return frame[(frame["record_id"] == ref) & (frame["ref_date"] == when)].iloc[0]


def test_counts_recency_and_rule_match_a_hand_count(tmp_path: Path) -> None:
    events = {
        "police": [("A1", date(2018, 5, 20), "asb"), ("C1", date(2017, 9, 1), "asb"),
                   ("A1", date(2016, 1, 1), "asb")],
        "domestic_abuse": [("A1", date(2018, 1, 10), "victim")],
        "health": [("A1", date(2018, 6, 1), "mental_health")],  # on the reference date: the future
    }  # fmt: skip
    school = [("C1", date(2017, 9, 1), 100, 20, 1), ("C1", date(2018, 4, 15), 100, 90, 5)]
    frame = build_examples(load_council_sources(write_local(tmp_path, FAMILY, events, school)), [REF])
    assert set(frame["record_id"]) == {"C1", "C2"}  # the adult is not a child
    c1 = _row(frame, "C1")
    assert c1["police_asb__family_12m"] == 2
    assert c1["police_asb__child_12m"] == 1
    assert c1["police_asb__family_3m"] == 1
    assert c1["police_asb__family_days_since"] == 12
    assert c1["domestic_abuse_victim__family_12m"] == 1
    assert c1["health_mental_health__family_12m"] == 0
    assert c1["health_mental_health__family_days_since"] == RECENCY_CAP_DAYS
    # only the September term has ended; the April term is still running at the reference date
    assert c1["school_absence_rate_12m"] == 0.2
    assert c1["school_exclusions_12m"] == 1
    assert c1["age_years"] == 8
    # crime/ASB, domestic abuse and school (20% absence) = 3 headline problems
    assert c1["rule_problems"] == 3
    assert _row(frame, "C2")["rule_problems"] == 0
    assert _row(frame, "C2")["age_years"] == 6  # 04/05/2012 read as day/month/year


def test_target_is_a_plan_or_care_starting_within_twelve_months(tmp_path: Path) -> None:
    people = [{"record_id": f"C{i}", "family_ref": f"F{i}", "date_of_birth": "2010-01-01"} for i in range(5)]
    events = {"social_care": [
        ("C0", REF, "cpp_start"),                          # on the reference date: counts
        ("C1", date(2019, 5, 31), "lac_start"),            # last day of the window: counts
        ("C2", date(2019, 6, 1), "cpp_start"),             # 12 months on: outside
        ("C3", date(2018, 1, 1), "cpp_start"),             # started a plan in the past year: left out
        ("C4", date(2018, 7, 1), "referral"),              # a referral is not the target
    ]}  # fmt: skip
    frame = build_examples(load_council_sources(write_local(tmp_path, people, events)), [REF])
    labels = dict(zip(frame["record_id"], frame["label"], strict=True))
    assert labels == {"C0": 1, "C1": 1, "C2": 0, "C4": 0}


def _future_events(draw: st.DrawFn, refs: list[str]) -> dict[str, list[tuple[str, date, str]]]:
    events: dict[str, list[tuple[str, date, str]]] = {}
    for table, (_, kinds) in EVENT_TABLES.items():
        events[table] = draw(
            st.lists(
                st.tuples(st.sampled_from(refs), st.dates(date(2015, 1, 1), date(2020, 1, 1)),
                          st.sampled_from(kinds)),
                max_size=6,
            )
        )  # fmt: skip
    return events


@st.composite
def worlds(
    draw: st.DrawFn,
) -> tuple[dict[str, list[tuple[str, date, str]]], list[tuple[str, date, int, int, int]]]:
    refs = [r["record_id"] for r in FAMILY]
    events = _future_events(draw, refs)
    term = st.tuples(st.sampled_from(refs), st.dates(date(2016, 1, 1), date(2019, 1, 1)),
                     st.just(100), st.integers(0, 100), st.integers(0, 3))  # fmt: skip
    terms = draw(st.lists(term, max_size=6))
    return events, terms


def _features(
    events: dict[str, list[tuple[str, date, str]]], terms: list[tuple[str, date, int, int, int]]
) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        frame = build_examples(load_council_sources(write_local(Path(tmp), FAMILY, events, terms)), [REF])
    return frame.set_index("record_id")[list(FEATURE_NAMES)].sort_index()


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), shift=st.integers(0, 400))
def test_no_feature_uses_data_on_or_after_the_reference_date(
    world: tuple[dict[str, list[tuple[str, date, str]]], list[tuple[str, date, int, int, int]]], shift: int
) -> None:
    """Rewrite the future (move every later record, add more) and the features must not change."""
    events, terms = world
    rewritten = {
        table: [(r, d + timedelta(days=shift), k) if d >= REF else (r, d, k) for r, d, k in rows]
        + [("C1", REF, EVENT_TABLES[table][1][0])]
        for table, rows in events.items()
    }
    # a term's figures are only complete 4 months after it starts; later terms may be rewritten too
    cutoff = date(REF.year, REF.month - 4, 1)
    rewritten_terms = [(r, d, p, 100 - m if d > cutoff else m, x) for r, d, p, m, x in terms]
    rewritten_terms.append(("C1", date(2018, 3, 1), 100, 99, 9))
    pd.testing.assert_frame_equal(_features(events, terms), _features(rewritten, rewritten_terms))
