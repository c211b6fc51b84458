"""Estimators of the average effect of the programme on those who joined it (the ATT).

Every method here has the same shape, which is why they share one code path:

    ATT = Σ_treated a_i (Y_i − m(X_i)) / Σ a_i  −  Σ_controls w_j (Y_j − m(X_j)) / Σ w_j

- `naive`: a = 1, w = 1, m = 0 (the unadjusted difference; reported beside every run as a yardstick);
- `psm`: w = nearest-neighbour matching weights, a = 1 for treated units with a match, m = 0;
- `psm_bc`: as `psm`, with m = a linear regression of Y on X in the matched controls (Abadie & Imbens
  2011 bias correction: removes the bias left by inexact matches);
- `ipw`: w = e/(1 − e) (ATT odds weights, normalised), m = 0;
- `aipw`: w = e/(1 − e), m = a linear regression of Y on X in all controls (doubly robust: right if
  either the propensity or the outcome model is right);
- `did`, `ipw_did`: the outcome is the change Y_after − Y_before, unweighted or with ATT odds
  weights (Abadie 2005's semiparametric difference-in-differences).

Linear outcome models come from scikit-learn's `LinearRegression`, which fits every outcome in one
multi-output solve (dozens of outcome × window columns at 1.5 million rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LinearRegression

from famlink.errors import AnalysisError, ConfigError
from famlink.evaluation.matching import DEFAULT_CALIPER_SD, match_nearest
from famlink.evaluation.propensity import logit

METHODS = ("naive", "psm", "psm_bc", "ipw", "aipw", "did", "ipw_did")
MATCHING_METHODS = ("psm", "psm_bc")
DIFFERENCE_METHODS = ("did", "ipw_did")
PROPENSITY_METHODS = ("psm", "psm_bc", "ipw", "aipw", "ipw_did")


@dataclass(frozen=True)
class MethodSettings:
    """How a method runs: matching ratio, caliper and replacement, and the outcome model."""

    method: str = "aipw"
    k: int = 1
    caliper_sd: float | None = DEFAULT_CALIPER_SD
    replace: bool = True

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(f"unknown method '{self.method}'", fix=f"use one of {', '.join(METHODS)}")
        if self.k < 1:
            raise ConfigError("the matching ratio k must be at least 1")


@dataclass(frozen=True)
class PointEstimate:
    """ATT per outcome column, with the weights and residuals the variance formulas need."""

    att: np.ndarray  # (q,)
    unit_weights: np.ndarray  # (n,): a_i for treated, w_j for controls (0 = not used)
    residuals: np.ndarray  # (n, q): Y − m(X), used by the analytic variance
    dropped_treated: int


def unit_weights(
    method: str, settings: MethodSettings, scores: np.ndarray, treated: np.ndarray, seed: int = 0
) -> tuple[np.ndarray, int]:
    """Per-unit weights for this method (treated kept = 1), and how many treated had no match."""
    if method in MATCHING_METHODS:
        matched = match_nearest(
            logit(scores),
            treated,
            k=settings.k,
            caliper_sd=settings.caliper_sd,
            replace=settings.replace,
            rng=np.random.default_rng(seed),
        )
        if matched.dropped_treated == int(treated.sum()):
            raise AnalysisError(
                "no treated unit has a comparison unit within the caliper (no overlap)",
                fix="check the covariates separate the groups less, widen --caliper, or use another method",
            )
        return matched.weights, matched.dropped_treated
    if method in ("ipw", "aipw", "ipw_did"):
        return np.where(treated, 1.0, scores / (1 - scores)), 0
    return np.ones_like(scores), 0


def estimate(
    method: str,
    outcomes: np.ndarray,
    covariates: np.ndarray,
    treated: np.ndarray,
    weights: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """ATT for every outcome column (no NaN) given the unit weights; returns (att, residuals)."""
    fitted = _outcome_model(method, outcomes, covariates, treated, weights)
    residuals = outcomes - fitted
    return weighted_difference(residuals, treated, weights), residuals


def weighted_difference(values: np.ndarray, treated: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean among treated minus weighted mean among controls, per column."""
    w_t = np.where(treated, weights, 0.0)
    w_c = np.where(treated, 0.0, weights)
    if w_t.sum() <= 0 or w_c.sum() <= 0:
        raise AnalysisError("no weight left on one side of the comparison (no overlap)")
    return np.asarray(w_t @ values / w_t.sum() - w_c @ values / w_c.sum())


def _outcome_model(
    method: str, outcomes: np.ndarray, covariates: np.ndarray, treated: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    if method not in ("psm_bc", "aipw") or covariates.shape[1] == 0:
        return np.zeros_like(outcomes)
    controls = ~treated & (weights > 0)
    sample_weight = weights[controls] if method == "psm_bc" else None
    model = LinearRegression().fit(covariates[controls], outcomes[controls], sample_weight=sample_weight)
    fitted = np.asarray(model.predict(covariates))
    return fitted.reshape(outcomes.shape)


def cluster_contributions(
    residuals: np.ndarray, treated: np.ndarray, weights: np.ndarray, clusters: np.ndarray, n_clusters: int
) -> np.ndarray:
    """Each cluster's summed contribution to (ATT − its expectation), shape (n_clusters, outcomes).

    The sum of their squares is the cluster-robust variance conditional on the weights. For matching
    this is the Abadie–Imbens (2006) variance in the linearised form of Otsu & Rai (2017): each control
    counts as often as it was used (K/M), so re-used controls raise the variance; summing within a
    cluster (family) before squaring lets members' outcomes correlate. For the weighting estimators it
    is the usual sandwich with the weights treated as known (for AIPW that is first-order correct,
    because the doubly robust score is insensitive to small errors in the propensity model).
    """
    w_t = np.where(treated, weights, 0.0)
    w_c = np.where(treated, 0.0, weights)
    centred_t = residuals - (w_t @ residuals / w_t.sum())
    centred_c = residuals - (w_c @ residuals / w_c.sum())
    contribution = (w_t[:, None] * centred_t) / w_t.sum() - (w_c[:, None] * centred_c) / w_c.sum()
    columns = [
        np.bincount(clusters, weights=contribution[:, j], minlength=n_clusters)
        for j in range(residuals.shape[1])
    ]
    return np.column_stack(columns) if columns else np.zeros((n_clusters, 0))


def mean_contributions(
    values: np.ndarray, weights: np.ndarray, clusters: np.ndarray, n_clusters: int
) -> np.ndarray:
    """Each cluster's contribution to a weighted mean's deviation, shape (n_clusters, outcomes).

    Used for the treated group's own mean θ₁: with the ATT's contributions it splits the ATT's
    variance into θ₁'s and the counterfactual mean's (see `famlink.evaluation.intervals`).
    """
    centred = values - (weights @ values / weights.sum())
    contribution = weights[:, None] * centred / weights.sum()
    columns = [np.bincount(clusters, weights=c, minlength=n_clusters) for c in contribution.T]
    return np.column_stack(columns) if columns else np.zeros((n_clusters, 0))


def kish_size(weights: np.ndarray) -> float:
    """Kish's effective number of units behind a weighted mean: (Σw)² / Σw²."""
    squares = float((weights**2).sum())
    return float(weights.sum()) ** 2 / squares if squares > 0 else 0.0


def analytic_variance(
    residuals: np.ndarray, treated: np.ndarray, weights: np.ndarray, clusters: np.ndarray
) -> np.ndarray:
    """Cluster-robust variance of the weighted difference (see `cluster_contributions`)."""
    _, codes = np.unique(clusters, return_inverse=True)
    per_cluster = cluster_contributions(residuals, treated, weights, codes, int(codes.max()) + 1)
    return np.asarray((per_cluster**2).sum(axis=0))
