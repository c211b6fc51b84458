"""Each estimator on cases whose answer is known exactly, and on randomised data with a known truth."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

from famlink.errors import AnalysisError, ConfigError
from famlink.evaluation.balance import balance_table
from famlink.evaluation.data import prepare_data
from famlink.evaluation.matching import match_nearest
from famlink.evaluation.run import Estimate, EvaluationSettings, evaluate
from famlink.evaluation.sensitivity import e_value_from_risk_ratio, e_values_for_att


def stratified_table() -> pa.Table:
    """x = 0: 10 treated, 30 controls; x = 1: 30 treated, 10 controls; y = x + 2·treated exactly.

    The logistic propensity with x is saturated (e = cell share), so weighting and matching on it
    compare like with like: every adjusted estimator must give ATT = 2, while the naive difference is
    (10·2 + 30·3)/40 − (30·0 + 10·1)/40 = 2.75 − 0.25 = 2.5. With pre = x (no effect before),
    difference-in-differences is (2.75 − 0.75) − (0.25 − 0.25) = 2.
    """
    x = np.array([0] * 10 + [1] * 30 + [0] * 30 + [1] * 10, dtype=float)
    t = np.array([1] * 40 + [0] * 40)
    y = x + 2 * t
    return pa.table({"t": t, "x": x, "y": y, "pre": x, "family": np.arange(80) // 2})


def run(
    table: pa.Table, method: str, *, k: int = 1, replace: bool = True, caliper_sd: float | None = None
) -> Estimate:
    data = prepare_data(
        table, treatment="t", outcomes=["y"], covariates=["x"], cluster="family", pre_outcomes=["pre"]
    )
    settings = EvaluationSettings(
        method=method, se="ai", placebo=False, k=k, replace=replace, caliper_sd=caliper_sd
    )
    return evaluate(data, settings).estimates[0]


@pytest.mark.parametrize("method", ["psm", "psm_bc", "ipw", "aipw", "did", "ipw_did"])
def test_every_adjusted_estimator_recovers_the_exact_att(method: str) -> None:
    assert run(stratified_table(), method).att == pytest.approx(2.0, abs=1e-3)


def test_naive_difference_is_the_unadjusted_one() -> None:
    assert run(stratified_table(), "naive").att == pytest.approx(2.5)


def test_matching_without_replacement_needs_the_caliper_when_controls_run_out() -> None:
    # x = 1 has 30 treated but 10 controls: without replacement 20 treated must take x = 0 controls
    # (bias back to the naive 2.5) unless the caliper drops them, which restores ATT = 2 on 20 treated.
    assert run(stratified_table(), "psm", replace=False).att == pytest.approx(2.5)
    kept = run(stratified_table(), "psm", replace=False, caliper_sd=0.2)
    assert (kept.att, kept.n_treated, kept.dropped_treated) == (pytest.approx(2.0), 20, 20)
    assert run(stratified_table(), "psm", k=2).att == pytest.approx(2.0, abs=1e-3)


def test_nearest_neighbour_weights_by_hand() -> None:
    score = np.array([0.0, 0.1, 0.5, 0.52, 0.9, 1.0, 3.0])
    treated = np.array([True, False, True, False, False, True, False])
    one = match_nearest(score, treated, k=1, caliper_sd=None)
    assert one.weights.tolist() == [1, 1, 1, 1, 1, 1, 0]
    two = match_nearest(score, treated, k=2, caliper_sd=None)
    # 0.0 → {0.1, 0.52}; 0.5 → {0.52, 0.1}; 1.0 → {0.9, 0.52}: each match weighs 1/2
    assert two.weights.tolist() == [1, 1, 1, 1.5, 0.5, 1, 0]
    tight = match_nearest(score, treated, k=1, caliper_sd=0.05)  # caliper 0.047: only 0.5 ↔ 0.52
    assert tight.weights.tolist() == [0, 0, 1, 1, 0, 0, 0] and tight.dropped_treated == 2


def test_matching_without_replacement_uses_each_control_once() -> None:
    score = np.array([0.0, 0.01, 0.02, 1.0])
    treated = np.array([True, True, False, False])
    assert match_nearest(score, treated, k=1, caliper_sd=None, replace=False).weights.tolist() == [1, 1, 1, 1]
    assert match_nearest(score, treated, k=1, caliper_sd=None, replace=True).weights.tolist() == [1, 1, 2, 0]


def test_balance_numbers_by_hand() -> None:
    # treated x = [2, 4] (mean 3, var 1); controls x = [0, 2] (mean 1, var 1) → pooled SD 1, SMD 2.
    # control weights [1, 3] → weighted mean 1.5, var (2.25 + 3·0.25)/4 = 0.75 → SMD 1.5, VR 1/0.75.
    x = np.array([[2.0], [4.0], [0.0], [2.0]])
    treated = np.array([True, True, False, False])
    (row,) = balance_table(x, ["x"], treated, np.array([1.0, 1.0, 1.0, 3.0]))
    assert (row.smd_before, row.smd_after) == (pytest.approx(2.0), pytest.approx(1.5))
    assert (row.variance_ratio_before, row.variance_ratio_after) == (pytest.approx(1.0), pytest.approx(4 / 3))
    assert not row.balanced


def randomised(n_families: int, seed: int, shared: bool) -> tuple[pa.Table, float]:
    """Families of 4 randomised as a block; true ATT 0.1; outcomes fully shared in a family if `shared`."""
    rng = np.random.default_rng(seed)
    family = np.repeat(np.arange(n_families), 4)
    treated = rng.integers(0, 2, n_families)[family]
    x = rng.normal(size=len(family))
    noise = rng.normal(size=n_families)[family] if shared else rng.normal(size=len(family))
    y = 0.5 * x + 0.1 * treated + noise
    return pa.table({"t": treated, "x": x, "y": y, "family": family}), 0.1


@pytest.mark.parametrize("method", ["psm", "psm_bc", "ipw", "aipw"])
def test_randomised_data_ci_covers_the_truth(method: str) -> None:
    table, truth = randomised(300, seed=7, shared=False)
    data = prepare_data(table, treatment="t", outcomes=["y"], covariates=["x"], cluster="family")
    estimate = evaluate(data, EvaluationSettings(method=method, seed=1)).estimates[0]  # wild bootstrap
    assert estimate.ci_low <= truth <= estimate.ci_high
    assert estimate.ci_high - estimate.ci_low < 0.6  # informative, not trivially wide


def test_gradient_boosted_propensity_also_covers_the_truth() -> None:
    table, truth = randomised(300, seed=7, shared=False)
    data = prepare_data(table, treatment="t", outcomes=["y"], covariates=["x"], cluster="family")
    estimate = evaluate(data, EvaluationSettings(method="psm_bc", propensity="gbm", se="ai")).estimates[0]
    assert estimate.ci_low <= truth <= estimate.ci_high


def test_clustering_raises_the_standard_error_when_family_outcomes_are_shared() -> None:
    table, _ = randomised(200, seed=3, shared=True)
    clustered = prepare_data(table, treatment="t", outcomes=["y"], covariates=["x"], cluster="family")
    unclustered = prepare_data(table, treatment="t", outcomes=["y"], covariates=["x"])
    settings = EvaluationSettings(method="aipw", se="ai")
    se_clustered = evaluate(clustered, settings).estimates[0].se
    se_unclustered = evaluate(unclustered, settings).estimates[0].se
    assert se_clustered > 1.5 * se_unclustered  # 4 members sharing everything: ≈ 2x
    boot = EvaluationSettings(method="aipw", se="bootstrap", bootstrap=40)
    assert evaluate(clustered, boot).estimates[0].se > 1.5 * evaluate(unclustered, boot).estimates[0].se


def test_multiplier_bootstrap_agrees_with_the_analytic_variance_and_is_seeded() -> None:
    table, _ = randomised(200, seed=3, shared=True)
    data = prepare_data(table, treatment="t", outcomes=["y"], covariates=["x"], cluster="family")
    analytic = evaluate(data, EvaluationSettings(method="psm_bc", se="ai")).estimates[0].se
    wild = [
        evaluate(data, EvaluationSettings(method="psm_bc", se="multiplier", bootstrap=400, seed=s))
        for s in (1, 1, 2)
    ]
    assert wild[0].estimates[0].se == wild[1].estimates[0].se != wild[2].estimates[0].se
    assert wild[0].estimates[0].se == pytest.approx(analytic, rel=0.15)  # E[wild variance] = analytic


def test_placebo_on_the_pre_period_is_reported_and_near_zero_without_effect() -> None:
    table, _ = randomised(300, seed=11, shared=False)
    pre = np.asarray(table.column("y")) - 0.1 * np.asarray(table.column("t"))
    table = table.append_column("y_pre", pa.array(pre))
    data = prepare_data(
        table, treatment="t", outcomes=["y"], covariates=["x"], cluster="family", pre_outcomes=["y_pre"]
    )
    result = evaluate(data, EvaluationSettings(method="aipw", se="ai"))
    (placebo,) = result.placebo
    assert placebo.ci_low <= 0 <= placebo.ci_high


def test_separated_groups_are_refused_as_no_overlap() -> None:
    t = np.array([1] * 20 + [0] * 20)
    table = pa.table({"t": t, "x": t * 10.0 + np.linspace(0, 1, 40), "y": np.zeros(40)})
    data = prepare_data(table, treatment="t", outcomes=["y"], covariates=["x"])
    with pytest.raises(AnalysisError, match="overlap"):
        evaluate(data, EvaluationSettings(method="psm", se="ai"))


def test_unknown_method_and_se_are_configuration_errors() -> None:
    with pytest.raises(ConfigError):
        EvaluationSettings(method="magic").method_settings  # noqa: B018
    with pytest.raises(ConfigError):
        EvaluationSettings(se="jackknife")


def test_e_values() -> None:
    assert e_value_from_risk_ratio(2.0) == pytest.approx(2 + math.sqrt(2))
    assert e_value_from_risk_ratio(0.5) == pytest.approx(2 + math.sqrt(2))  # protective: inverted
    # treated 1.7% vs counterfactual 2.5% (the 2019 looked-after figures): RR 0.68
    point, ci = e_values_for_att(0.017, -0.008, -0.012, -0.004, binary=True, outcome_sd=0.15)
    assert point == pytest.approx(e_value_from_risk_ratio(0.017 / 0.025))
    assert ci == pytest.approx(e_value_from_risk_ratio(0.017 / 0.021))
    assert e_values_for_att(0.017, -0.008, -0.02, 0.004, binary=True, outcome_sd=0.15)[1] == 1.0
