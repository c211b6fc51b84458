"""One evaluation run: propensity, weights, estimates, standard errors, balance, placebo, E-values.

This is the facade the CLI (`famlink evaluate`), the research role and the benchmark call. It takes
prepared arrays (`famlink.evaluation.data.prepare_data`) and settings, and returns plain results that
serialise to JSON. The default method is chosen by the benchmark's evidence: see
`docs/explanation/evaluation-methods.md`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
from scipy.stats import norm
from threadpoolctl import threadpool_limits

from famlink.errors import AnalysisError, ConfigError
from famlink.evaluation.balance import BalanceRow, balance_table
from famlink.evaluation.data import MIN_TREATED, EvaluationData, require_enough_units
from famlink.evaluation.estimators import MethodSettings, unit_weights
from famlink.evaluation.inference import (
    GroupEstimate,
    analysis_values,
    bootstrap_atts,
    multiplier_draws,
    point_estimates,
)
from famlink.evaluation.intervals import rare_outcome_interval, rare_outcome_p_value
from famlink.evaluation.propensity import PropensityModel, common_support
from famlink.evaluation.sensitivity import e_values_for_att

DEFAULT_METHOD = "aipw"
DEFAULT_SE = "multiplier"
SMALL_DATA_ROWS = 200_000
SE_METHODS = ("bootstrap", "multiplier", "ai")


@dataclass(frozen=True)
class EvaluationSettings:
    """Everything that decides a run; recorded in its output so the run can be repeated."""

    method: str = DEFAULT_METHOD
    propensity: str = "logistic"
    k: int = 1
    caliper_sd: float | None = 0.2
    replace: bool = True
    se: str = DEFAULT_SE
    bootstrap: int = 200
    seed: int = 0
    confidence: float = 0.95
    placebo: bool = True

    def __post_init__(self) -> None:
        if self.se not in SE_METHODS:
            raise ConfigError(
                f"unknown standard error '{self.se}'", fix=f"use one of {', '.join(SE_METHODS)}"
            )
        if self.se != "ai" and self.bootstrap < 20:
            raise ConfigError("use at least 20 bootstrap replicates", fix="raise --bootstrap")
        if not 0.5 < self.confidence < 1:
            raise ConfigError("the confidence level must be between 0.5 and 1")

    @property
    def method_settings(self) -> MethodSettings:
        return MethodSettings(self.method, k=self.k, caliper_sd=self.caliper_sd, replace=self.replace)


@dataclass(frozen=True)
class Estimate:
    outcome: str
    method: str
    att: float
    se: float
    ci_low: float
    ci_high: float
    n_treated: int
    n_control_used: int
    p_value: float
    treated_mean: float
    control_mean: float
    naive_att: float
    dropped_treated: int
    e_value: float
    e_value_ci: float


@dataclass
class EvaluationResult:
    settings: EvaluationSettings
    estimates: list[Estimate]
    balance: list[BalanceRow]
    placebo: list[Estimate] = field(default_factory=list)
    support: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    scores: np.ndarray | None = field(default=None, repr=False)
    treated: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: estimates, balance (with variance ratios), placebo, support, settings, notes."""
        return {
            "estimates": [_clean(asdict(e)) for e in self.estimates],
            "balance": [_clean({**asdict(b), "balanced": b.balanced}) for b in self.balance],
            "placebo": [_clean(asdict(e)) for e in self.placebo],
            "common_support": _clean(self.support),
            "settings": asdict(self.settings),
            "notes": self.notes,
        }


def evaluate(
    data: EvaluationData,
    settings: EvaluationSettings | None = None,
    on_step: Callable[[], None] | None = None,
) -> EvaluationResult:
    """Estimate the ATT of every outcome in `data` with the chosen method and standard error.

    Below `SMALL_DATA_ROWS` the BLAS library is held to one thread: on small matrices its threads cost
    far more than they save (16x slower measured on the shared 2-core machine).
    """
    limit = 1 if data.n < SMALL_DATA_ROWS else None
    with threadpool_limits(limits=limit, user_api="blas"):
        return _evaluate(data, settings or EvaluationSettings(), on_step)


def _evaluate(
    data: EvaluationData, settings: EvaluationSettings, on_step: Callable[[], None] | None
) -> EvaluationResult:
    require_enough_units(data.treated)
    model = PropensityModel(settings.propensity, seed=settings.seed)
    scores = model.fit_scores(data.covariates, data.treated)
    support = _check_overlap(scores, data.treated)
    method = settings.method_settings
    weights, _ = unit_weights(method.method, method, scores, data.treated, settings.seed)
    balance = balance_table(data.covariates, data.covariate_names, data.treated, weights)
    values = analysis_values(data.outcomes, data.pre_outcomes, method.method)
    estimates = _estimates(data, values, data.outcome_names, scores, model, settings, on_step)
    placebo: list[Estimate] = []
    if settings.placebo and data.pre_outcomes is not None and method.method not in ("did", "ipw_did"):
        placebo = _placebo(data, data.pre_outcomes, scores, model, settings)
    notes = _notes(estimates, balance)
    return EvaluationResult(settings, estimates, balance, placebo, support, notes, scores, data.treated)


def _placebo(
    data: EvaluationData,
    pre: np.ndarray,
    scores: np.ndarray,
    model: PropensityModel,
    settings: EvaluationSettings,
) -> list[Estimate]:
    """The method applied to each distinct pre-period column: an 'effect' before joining should be ~0."""
    names = data.pre_outcome_names or [f"{n} (pre-period)" for n in data.outcome_names]
    first = {name: index for index, name in reversed(list(enumerate(names)))}
    columns = sorted(first.values())
    if settings.se == "bootstrap":  # refitting is costly; a placebo needs a rougher SE only
        settings = replace(settings, bootstrap=max(20, settings.bootstrap // 4))
    labels = [f"{names[c]} (placebo)" for c in columns]
    return _estimates(data, pre[:, columns], labels, scores, model, settings, None)


def _estimates(
    data: EvaluationData,
    values: np.ndarray,
    names: list[str],
    scores: np.ndarray,
    model: PropensityModel,
    settings: EvaluationSettings,
    on_step: Callable[[], None] | None,
) -> list[Estimate]:
    method = settings.method_settings
    groups = point_estimates(
        values,
        data.covariates,
        data.treated,
        scores,
        data.clusters,
        method,
        settings.seed,
        keep_contributions=settings.se == "multiplier",
    )
    if settings.se == "ai":
        ses = np.asarray([g.analytic_se if g else math.nan for g in groups])
    elif settings.se == "multiplier":
        ses = _multiplier_se(groups, settings)
    else:

        def replicate(rows: np.ndarray, seed: int) -> np.ndarray:
            sample = data.subset(rows)
            require_enough_units(sample.treated)
            resampled = model.fit_scores(sample.covariates, sample.treated)
            again = point_estimates(
                values[rows], sample.covariates, sample.treated, resampled, sample.clusters, method, seed
            )
            return np.asarray([g.att if g else math.nan for g in again])

        draws = bootstrap_atts(replicate, data.clusters, settings.bootstrap, settings.seed, on_step)
        ses = _bootstrap_se(draws, len(names))
    return [
        _estimate(name, method.method, group, float(se), settings.confidence)
        for name, group, se in zip(names, groups, ses, strict=True)
    ]


def _multiplier_se(groups: list[GroupEstimate | None], settings: EvaluationSettings) -> np.ndarray:
    """SD of the wild cluster bootstrap draws per outcome (NaN where there is no estimate)."""
    present = [g.contributions for g in groups if g is not None and g.contributions is not None]
    out = np.full(len(groups), math.nan)
    if not present:
        return out
    draws = multiplier_draws(np.column_stack(present), settings.bootstrap, settings.seed)
    ses = iter(np.std(draws, axis=0, ddof=1))
    for index, g in enumerate(groups):
        if g is not None and g.contributions is not None:
            out[index] = float(next(ses))
    return out


def _bootstrap_se(draws: np.ndarray, width: int) -> np.ndarray:
    """SD of the replicates per outcome, ignoring failed draws; NaN where fewer than two succeeded."""
    out = np.full(width, math.nan)
    if draws.ndim != 2 or draws.shape[1] != width:
        return out
    for column in range(width):
        finite = draws[np.isfinite(draws[:, column]), column]
        if len(finite) > 1:
            out[column] = float(np.std(finite, ddof=1))
    return out


def _estimate(name: str, method: str, g: GroupEstimate | None, se: float, confidence: float) -> Estimate:
    if g is None:
        nan = math.nan
        return Estimate(name, method, nan, nan, nan, nan, 0, 0, nan, nan, nan, nan, 0, nan, nan)
    low, high, p_value = _interval(g, se, confidence)
    e_point, e_ci = e_values_for_att(g.treated_mean, g.att, low, high, g.binary, g.outcome_sd)
    return Estimate(
        outcome=name,
        method=method,
        att=g.att,
        se=se,
        ci_low=low,
        ci_high=high,
        n_treated=g.n_treated,
        n_control_used=g.n_control_used,
        p_value=p_value,
        treated_mean=g.treated_mean,
        control_mean=g.treated_mean - g.att,
        naive_att=g.naive_att,
        dropped_treated=g.dropped_treated,
        e_value=e_point,
        e_value_ci=e_ci,
    )


def _interval(g: GroupEstimate, se: float, confidence: float) -> tuple[float, float, float]:
    """(low, high, p) for one estimate: the rare-event-aware interval for 0/1 outcomes, else Wald.

    0/1 outcomes get the MOVER / Korn–Graubard interval (`famlink.evaluation.intervals`: why the
    symmetric interval under-covered on the synthetic world's rare outcomes), with its variances scaled
    so that their total is the chosen SE method's variance (bootstrap, wild bootstrap or analytic).
    """
    parts = g.parts
    if parts is not None and parts.proportions and math.isfinite(se):
        if se > 0 and g.analytic_se > 0:
            parts = parts.scaled((se / g.analytic_se) ** 2)
        low, high = rare_outcome_interval(parts, confidence)
        return low, high, rare_outcome_p_value(parts)
    z = float(norm.ppf(0.5 + confidence / 2))
    p_value = float(2 * norm.sf(abs(g.att / se))) if se > 0 else math.nan
    return g.att - z * se, g.att + z * se, p_value


def _check_overlap(scores: np.ndarray, treated: np.ndarray) -> dict[str, float]:
    """Refuse runs where too few treated units have comparison units with similar scores."""
    low, high = common_support(scores, treated)
    inside = treated & (scores >= low) & (scores <= high)
    if low >= high or int(inside.sum()) < MIN_TREATED:
        raise AnalysisError(
            "no overlap: the covariates separate treated and comparison units almost perfectly",
            fix="drop covariates that decide treatment by themselves, or choose a comparison group "
            "more like the treated units",
        )
    return {
        "score_low": low,
        "score_high": high,
        "treated_outside_support": int(treated.sum() - inside.sum()),
        "share_treated_inside": float(inside.sum() / treated.sum()),
    }


def _notes(estimates: list[Estimate], balance: list[BalanceRow]) -> list[str]:
    notes = []
    unbalanced = [b.covariate for b in balance if not b.balanced]
    if unbalanced:
        notes.append(f"|SMD| ≥ 0.1 after adjustment for: {', '.join(unbalanced)}")
    dropped = max((e.dropped_treated for e in estimates), default=0)
    if dropped:
        notes.append(f"up to {dropped} treated unit(s) had no match within the caliper and were dropped")
    missing = [e.outcome for e in estimates if math.isnan(e.att)]
    if missing:
        notes.append(f"no estimate (no eligible treated or comparison units): {', '.join(missing)}")
    return notes


def _clean(record: dict[str, Any]) -> dict[str, Any]:
    """JSON has no NaN: write null instead."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in record.items()}
