"""The temporal split: later dates test, earlier dates train, and no training outcome reaches the test."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pandas as pd
import pytest

from famlink.errors import AnalysisError
from famlink.risk.settings import RiskSettings
from famlink.risk.split import add_months, assert_no_overlap, temporal_split, usable_reference_dates

SETTINGS = RiskSettings(step_months=3, lookback_months=24, horizon_months=12, test_months=12)


def test_reference_dates_leave_room_for_history_and_a_whole_outcome_window() -> None:
    dates = usable_reference_dates(date(2012, 1, 15), date(2019, 12, 20), SETTINGS)
    assert dates[0] == date(2014, 2, 1)  # 24 months of history, counted from the next month
    assert all(add_months(d, 12) <= date(2019, 12, 20) for d in dates)
    assert dates[-1] == date(2018, 11, 1)
    assert {(b.year - a.year) * 12 + b.month - a.month for a, b in pairwise(dates)} == {3}


def test_train_dates_end_their_outcome_window_before_the_first_test_date() -> None:
    dates = usable_reference_dates(date(2012, 1, 1), date(2020, 1, 1), SETTINGS)
    split = temporal_split(dates, SETTINGS)
    assert split.test == tuple(date(y, m, 1) for y, m in [(2017, 12), *((2018, k) for k in range(1, 12))])
    assert max(split.train) < min(split.test)
    assert add_months(max(split.train), 12) <= min(split.test)
    # the year between is used by neither: its outcomes overlap the test period
    assert date(2017, 5, 1) not in split.train and date(2017, 5, 1) not in split.test
    assert split.train[-1] == date(2016, 11, 1)


def test_too_short_a_history_is_refused() -> None:
    dates = usable_reference_dates(date(2016, 1, 1), date(2019, 1, 1), SETTINGS)
    with pytest.raises(AnalysisError):
        temporal_split(dates, SETTINGS)


def test_an_overlapping_training_window_is_caught() -> None:
    dates = usable_reference_dates(date(2012, 1, 1), date(2020, 1, 1), SETTINGS)
    split = temporal_split(dates, SETTINGS)
    leaky = type(split)(train=(*split.train, date(2017, 5, 1)), test=split.test)
    examples = pd.DataFrame({"ref_date": [*leaky.train, *leaky.test]})
    with pytest.raises(AnalysisError, match="leakage"):
        assert_no_overlap(examples, leaky, 12)
    assert_no_overlap(pd.DataFrame({"ref_date": [*split.train, *split.test]}), split, 12)
