"""Reference dates and the temporal split: train on earlier dates, test on later ones, never at random.

A random split would let the model learn from a child's future while being tested on the same child's
past, and would hide the drift a deployed model meets. The split here also leaves a gap: a training
example's outcome window (reference date + horizon) must close on or before the first test date, as
it would in real life, where a year's outcomes are only known a year later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from famlink.errors import AnalysisError
from famlink.risk.settings import RiskSettings
from famlink.risk.sources import LoadedSources


def add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before) `day`'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def data_span(src: LoadedSources) -> tuple[date, date]:
    """First and last dated record in the council's tables (events and school terms)."""
    rows = src.con.execute(
        "SELECT min(d), max(d) FROM (SELECT date AS d FROM events UNION ALL SELECT term_start FROM school)"
    ).fetchall()
    first, last = rows[0]
    if first is None or last is None:
        raise AnalysisError("the council tables hold no dated records", fix="check the local/ tables")
    return first, last


@dataclass(frozen=True)
class TemporalSplit:
    """Which reference dates train the model and which test it (all first-of-month dates)."""

    train: tuple[date, ...]
    test: tuple[date, ...]

    def describe(self) -> str:
        return (
            f"train on {len(self.train)} reference dates {self.train[0]}..{self.train[-1]}; "
            f"test on {len(self.test)} later dates {self.test[0]}..{self.test[-1]}"
        )


def usable_reference_dates(first: date, last: date, settings: RiskSettings) -> list[date]:
    """Dates with a full look-back before them and a fully observed outcome window after them."""
    start = add_months(first, settings.lookback_months + 1)
    end_limit = add_months(last, -settings.horizon_months)  # ref + horizon <= first of last's month
    dates: list[date] = []
    current = start
    while current <= end_limit:
        dates.append(current)
        current = add_months(current, settings.step_months)
    return dates


def temporal_split(dates: list[date], settings: RiskSettings) -> TemporalSplit:
    """Test on the last `test_months` of reference dates; train on dates whose outcome window closes
    on or before the first test date."""
    if not dates:
        raise AnalysisError(
            "the data cover too short a period for any reference date",
            fix="the tables must span lookback_months + horizon_months + test_months at least",
        )
    # Test on every month of the last `test_months` (a month is the unit of review capacity); train
    # on the coarser `step_months` grid.
    last = dates[-1]
    test = tuple(add_months(last, -k) for k in reversed(range(settings.test_months)))
    test = tuple(d for d in test if d >= dates[0])
    train = tuple(d for d in dates if add_months(d, settings.horizon_months) <= test[0])
    if len(train) < 2:
        raise AnalysisError(
            f"only {len(train)} training reference date(s) end their outcome window before the test period",
            fix="use a world that covers more years, or reduce lookback_months / test_months",
        )
    return TemporalSplit(train=train, test=test)


def assert_no_overlap(examples: pd.DataFrame, split: TemporalSplit, horizon_months: int) -> None:
    """Defence in depth: refuse to go on if any training outcome window reaches the test period."""
    train_refs = set(split.train)
    used = examples.loc[examples["ref_date"].isin(train_refs), "ref_date"]
    if used.empty:
        raise AnalysisError("no training examples were built", fix="check ages and dates in the person index")
    latest = max(used)
    if add_months(latest, horizon_months) > split.test[0]:
        raise AnalysisError("a training outcome window overlaps the test period (leakage)")
