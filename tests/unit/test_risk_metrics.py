"""Metrics on small cases worked out by hand, and the plain verdict against the simple rule."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from famlink.risk.evaluate import verdict
from famlink.risk.metrics import flags_at_capacity, precision_difference_interval, score_metrics

REFS = pd.Series([date(2020, 1, 1)] * 4 + [date(2020, 2, 1)] * 4)
LABELS = np.array([1, 0, 0, 1, 0, 0, 1, 0])
SCORES = np.array([0.9, 0.8, 0.1, 0.2, 0.7, 0.6, 0.5, 0.05])


def test_capacity_is_applied_within_each_reference_date() -> None:
    flags = flags_at_capacity(REFS, SCORES, 2, seed=0)
    assert flags.tolist() == [True, True, False, False, True, True, False, False]


def test_precision_and_recall_at_capacity_and_ranking_metrics_match_a_hand_count() -> None:
    m = score_metrics("m", LABELS, SCORES, SCORES, REFS, capacity=2, seed=0)
    assert (m.flagged, m.true_positives, m.positives) == (4, 1, 3)
    assert m.precision_at_capacity == 0.25
    assert m.recall_at_capacity == pytest.approx(1 / 3)
    # AUC: of the 15 positive-negative pairs, the positive is ranked higher in 9 (0.9>all 5; 0.5>0.1,0.05;
    # 0.2>0.1,0.05): 5 + 2 + 2 = 9
    assert m.roc_auc == pytest.approx(9 / 15)
    # AP: positives at ranks 1 (0.9), 5 (0.5), 6 (0.2): (1/1 + 2/5 + 3/6) / 3
    assert m.average_precision == pytest.approx((1 + 0.4 + 0.5) / 3)
    assert m.brier == pytest.approx(float(np.mean((SCORES - LABELS) ** 2)))


def test_ties_are_broken_at_random_not_by_row_order() -> None:
    refs = pd.Series([date(2020, 1, 1)] * 1000)
    tied = np.ones(1000)
    chosen = np.flatnonzero(flags_at_capacity(refs, tied, 100, seed=1))
    assert len(chosen) == 100 and chosen.max() > 500  # not simply the first 100 rows


def _metrics(model_precision: float, model_ap: float) -> dict[str, dict[str, float]]:
    base = {"recall_at_capacity": 0.1, "roc_auc": 0.7}
    return {
        "logistic": {**base, "precision_at_capacity": model_precision, "average_precision": model_ap},
        "rule": {**base, "precision_at_capacity": 0.20, "average_precision": 0.10},
    }


def test_the_verdict_says_plainly_when_the_model_does_not_beat_the_rule() -> None:
    losing = verdict(_metrics(0.15, 0.12), "logistic")
    assert losing["beats_rule"] is False
    assert "does NOT beat the simple rule" in losing["sentence"]
    assert "should not use it" in losing["sentence"]
    winning = verdict(_metrics(0.25, 0.12), "logistic")
    assert winning["beats_rule"] is True and "beats the simple rule" in winning["sentence"]


def test_the_precision_difference_and_its_interval_come_from_whole_months() -> None:
    refs = pd.Series([date(2020, m, 1) for m in range(1, 13) for _ in range(10)])
    labels = np.tile(np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]), 12)
    model = np.tile(np.array([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], dtype=bool), 12)  # 2 of 4 right each month
    rule = np.tile(np.array([1, 0, 1, 1, 0, 0, 0, 0, 0, 0], dtype=bool), 12)  # 1 of 3 right each month
    diff, low, high = precision_difference_interval(labels, refs, model, rule, n_boot=100, seed=0)
    assert diff == pytest.approx(0.5 - 1 / 3)
    assert low == pytest.approx(diff) and high == pytest.approx(diff)  # identical months: no spread
    assert "could be chance" in verdict(_metrics(0.25, 0.12), "logistic", (0.02, -0.01, 0.05))["sentence"]
