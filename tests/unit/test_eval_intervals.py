"""The rare-outcome interval (MOVER with Korn–Graubard exact intervals) on cases with known answers."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
from scipy.stats import binomtest, norm

from famlink.evaluation.data import prepare_data
from famlink.evaluation.intervals import (
    RareOutcomeParts,
    effective_size,
    exact_proportion_interval,
    mover_difference,
    rare_outcome_interval,
    rare_outcome_p_value,
)
from famlink.evaluation.run import EvaluationSettings, evaluate

Z95 = float(norm.ppf(0.975))


@pytest.mark.parametrize(("events", "size"), [(3, 200), (0, 50), (17, 40), (50, 50)])
def test_exact_interval_is_clopper_pearson(events: int, size: int) -> None:
    expected = binomtest(events, size).proportion_ci(0.95, method="exact")
    low, high = exact_proportion_interval(events / size, size, 0.95)
    assert (low, high) == (pytest.approx(expected.low, abs=1e-9), pytest.approx(expected.high, abs=1e-9))


def test_no_events_in_100_gives_the_rule_of_three_like_bound() -> None:
    # 0 of 100: the exact upper limit solves (1 − p)^100 = 0.025, so p = 1 − 0.025^(1/100) = 0.03621
    assert exact_proportion_interval(0.0, 100, 0.95) == (0.0, pytest.approx(1 - 0.025 ** (1 / 100)))


def test_mover_with_symmetric_intervals_is_the_wald_interval() -> None:
    # 0.3 ± 0.1 and 0.2 ± 0.05, independent: 0.1 ± √(0.1² + 0.05²)
    low, high = mover_difference(0.3, (0.2, 0.4), 0.2, (0.15, 0.25))
    half = math.sqrt(0.1**2 + 0.05**2)
    assert (low, high) == (pytest.approx(0.1 - half), pytest.approx(0.1 + half))
    # with correlation 0.5 and equal half-widths 0.1: √(0.01 + 0.01 − 2·0.5·0.01) = 0.1
    assert mover_difference(0.5, (0.4, 0.6), 0.4, (0.3, 0.5), 0.5) == (
        pytest.approx(0.0),
        pytest.approx(0.2),
    )


def test_mover_takes_each_side_from_the_opposite_tails() -> None:
    # the difference's lower limit uses the first mean's lower and the second mean's upper distance
    low, high = mover_difference(0.5, (0.4, 0.5), 0.2, (0.2, 0.5))
    assert (low, high) == (pytest.approx(0.3 - math.sqrt(0.01 + 0.09)), pytest.approx(0.3))


def test_effective_size_is_capped_at_the_actual_size() -> None:
    assert effective_size(0.1, 0.09 / 100, 1000) == pytest.approx(100)  # design effect 10
    assert effective_size(0.1, 0.09 / 5000, 1000) == 1000  # the variance claims more than the sample
    assert effective_size(0.0, 0.0, 250) == 250  # no events: the size itself


def test_plenty_of_events_gives_the_wald_interval() -> None:
    parts = RareOutcomeParts(0.40, 0.45, 0.4 * 0.6 / 4000, 0.45 * 0.55 / 4000, 0.0, 4000, 4000)
    low, high = rare_outcome_interval(parts, 0.95)
    half = Z95 * math.sqrt(parts.treated_variance + parts.counterfactual_variance)
    assert low == pytest.approx(-0.05 - half, rel=0.02)
    assert high == pytest.approx(-0.05 + half, rel=0.05)


def test_few_comparison_events_stretch_the_lower_limit() -> None:
    """3 comparison events in 300: the counterfactual mean may well be much higher than 1%."""
    parts = RareOutcomeParts(0.007, 0.01, 0.007 * 0.993 / 1000, 0.01 * 0.99 / 300, 0.0, 1000, 300)
    low, high = rare_outcome_interval(parts, 0.95)
    att = -0.003
    assert att - low > 1.5 * (high - att)
    assert low < att - Z95 * math.sqrt(parts.treated_variance + parts.counterfactual_variance)


def test_coverage_with_rare_events_is_nominal_where_wald_is_not() -> None:
    """2,000 draws of 1,000 treated (p 0.7%) against 300 comparisons (p 1%, ≈3 events)."""
    rng = np.random.default_rng(1)
    k1, k0 = rng.binomial(1000, 0.007, 2000), rng.binomial(300, 0.01, 2000)
    truth = 0.007 - 0.01
    ours, wald = [], []
    for a, b in zip(k1 / 1000, k0 / 300, strict=True):
        v1, v0 = a * (1 - a) / 1000, b * (1 - b) / 300
        low, high = rare_outcome_interval(RareOutcomeParts(a, b, v1, v0, 0.0, 1000, 300), 0.95)
        ours.append(low <= truth <= high)
        wald.append(abs(a - b - truth) <= Z95 * math.sqrt(v1 + v0))
    assert np.mean(wald) < 0.93  # the symmetric interval under-covers here
    assert 0.95 <= np.mean(ours) <= 0.99


@pytest.mark.parametrize("comparison", [0.004, 0.012, 0.03])
def test_p_value_agrees_with_the_interval(comparison: float) -> None:
    parts = RareOutcomeParts(0.005, comparison, 0.005 / 2000, comparison / 600, 0.0, 2000, 600)
    p = rare_outcome_p_value(parts)
    low, high = rare_outcome_interval(parts, 0.95)
    assert (p < 0.05) == (not low <= 0 <= high)
    edge_low, edge_high = rare_outcome_interval(parts, 1 - p)
    if p < 1:
        assert min(abs(edge_low), abs(edge_high)) < 1e-6  # at level 1 − p, zero is on the boundary
    else:  # exact intervals never shrink to a point: even the narrowest one still holds 0
        assert edge_low <= 0 <= edge_high


def test_evaluate_uses_the_asymmetric_interval_for_rare_binary_outcomes() -> None:
    """4 of 400 treated vs 6 of 200 comparison people have the event: ATT ≈ 0.01 − 0.03 = −0.02."""
    t = np.array([1] * 400 + [0] * 200)
    y = np.zeros(600)
    y[:4] = 1
    y[400:406] = 1
    x = np.random.default_rng(5).normal(size=600)  # unrelated to t or y: weights stay near 1
    table = pa.table({"t": t, "y": y, "x": x, "family": np.arange(600)})
    data = prepare_data(table, treatment="t", outcomes=["y"], covariates=["x"], cluster="family")
    (estimate,) = evaluate(data, EvaluationSettings(method="ipw", se="ai", placebo=False)).estimates
    assert estimate.att == pytest.approx(-0.02, abs=0.003)
    assert estimate.ci_low < estimate.att - Z95 * estimate.se  # longer tail where the count is small
    assert estimate.ci_high < estimate.att + Z95 * estimate.se
    assert (estimate.p_value < 0.05) == (estimate.ci_high < 0)
