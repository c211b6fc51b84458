"""Point estimates per outcome and their standard errors (cluster bootstrap or analytic).

Outcomes are NULL where a person is not eligible (an adult has no school absence), so each outcome is
analysed on its own eligible rows. Outcomes with the same eligibility share one pass: the matching or
weighting is redone on that subset, and one multi-output regression serves them all.

Why the bootstrap resamples whole clusters (families) and refits the propensity model each time:
members of a family share the treatment and much of their fortune, so resampling people would
understate the uncertainty; refitting carries the propensity model's own uncertainty into the SE.
Abadie & Imbens (2008) showed the bootstrap can be invalid for nearest-neighbour matching with a
fixed number of matches; the benchmark (bench/bench_evaluation.py) measured the opposite problem here:
the analytic and wild variances, which hold the propensity score fixed, under-covered for matching,
while the resampling bootstrap covered (docs/explanation/evaluation-methods.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from famlink.errors import AnalysisError
from famlink.evaluation.estimators import (
    DIFFERENCE_METHODS,
    MethodSettings,
    cluster_contributions,
    estimate,
    kish_size,
    mean_contributions,
    unit_weights,
)
from famlink.evaluation.intervals import RareOutcomeParts


@dataclass(frozen=True)
class GroupEstimate:
    """Results for one outcome column on its eligible rows."""

    att: float
    treated_mean: float
    n_treated: int
    n_control_used: int
    dropped_treated: int
    analytic_se: float
    naive_att: float
    contributions: np.ndarray | None = None  # per cluster, for the multiplier bootstrap
    binary: bool = True
    outcome_sd: float = 0.0
    parts: RareOutcomeParts | None = None  # θ₁, θ₀ and their variances, for 0/1 outcomes


def analysis_values(outcomes: np.ndarray, pre: np.ndarray | None, method: str) -> np.ndarray:
    """The values analysed: the outcome, or its change since the pre-period for difference methods."""
    if method in DIFFERENCE_METHODS:
        if pre is None:
            raise AnalysisError(
                f"method '{method}' needs pre-period outcomes",
                fix="give one --pre column per --outcome (the same measure before the start)",
            )
        return np.asarray(outcomes - pre)
    return outcomes


def eligibility_groups(values: np.ndarray) -> list[tuple[np.ndarray, list[int]]]:
    """Group outcome columns by their pattern of missing values: (rows present, column indices)."""
    groups: dict[bytes, tuple[np.ndarray, list[int]]] = {}
    for column in range(values.shape[1]):
        present = ~np.isnan(values[:, column])
        key = np.packbits(present).tobytes()
        groups.setdefault(key, (present, []))[1].append(column)
    return list(groups.values())


def point_estimates(
    values: np.ndarray,
    covariates: np.ndarray,
    treated: np.ndarray,
    scores: np.ndarray,
    clusters: np.ndarray,
    settings: MethodSettings,
    seed: int,
    keep_contributions: bool = False,
) -> list[GroupEstimate | None]:
    """One estimate per outcome column (None where its eligible rows cannot support one).

    `clusters` must be dense codes (0..G−1 over the whole analysis); with `keep_contributions` each
    estimate carries its per-cluster contributions for the multiplier bootstrap.
    """
    n_clusters = int(clusters.max()) + 1
    out: list[GroupEstimate | None] = [None] * values.shape[1]
    for present, columns in eligibility_groups(values):
        t = treated[present]
        if t.sum() < 1 or (~t).sum() < 1:
            continue
        y = values[np.ix_(present, np.asarray(columns))]
        x = covariates[present]
        weights, dropped = unit_weights(settings.method, settings, scores[present], t, seed)
        att, residuals = estimate(settings.method, y, x, t, weights)
        if settings.method == "psm":  # regression residuals make the matching variance less conservative
            residuals = estimate("psm_bc", y, x, t, weights)[1]
        per_cluster = cluster_contributions(residuals, t, weights, clusters[present], n_clusters)
        variance = (per_cluster**2).sum(axis=0)
        naive = estimate("naive", y, x, t, np.ones(len(t)))[0]
        treated_means = y[t & (weights > 0)].mean(axis=0)
        binary = ((y == 0) | (y == 1)).all(axis=0)
        parts = _binary_parts(y, t, weights, clusters[present], n_clusters, att, per_cluster, binary)
        spread = y.std(axis=0)
        for position, column in enumerate(columns):
            out[column] = GroupEstimate(
                att=float(att[position]),
                treated_mean=float(treated_means[position]),
                n_treated=int((t & (weights > 0)).sum()),
                n_control_used=int((~t & (weights > 0)).sum()),
                dropped_treated=dropped,
                analytic_se=float(np.sqrt(variance[position])),
                naive_att=float(naive[position]),
                contributions=per_cluster[:, position].copy() if keep_contributions else None,
                binary=bool(binary[position]),
                outcome_sd=float(spread[position]),
                parts=parts[position],
            )
    return out


def _binary_parts(
    y: np.ndarray,
    t: np.ndarray,
    weights: np.ndarray,
    clusters: np.ndarray,
    n_clusters: int,
    att: np.ndarray,
    per_cluster: np.ndarray,
    binary: np.ndarray,
) -> list[RareOutcomeParts | None]:
    """Per 0/1 column: ATT = θ₁ − θ₀ split into its two means with their variances and covariance.

    θ₁'s per-cluster contributions come from the treated outcomes alone; θ₀'s are θ₁'s minus the ATT's
    (ATT = θ₁ − θ₀ holds contribution by contribution), so Var(θ₁) + Var(θ₀) − 2·Cov = Var(ATT).
    """
    if not binary.any():
        return [None] * y.shape[1]
    w_t = np.where(t, weights, 0.0)
    w_c = np.where(t, 0.0, weights)
    treated_part = mean_contributions(y, w_t, clusters, n_clusters)
    counterfactual_part = treated_part - per_cluster
    theta1 = (w_t @ y / w_t.sum()).tolist()
    v1 = (treated_part**2).sum(axis=0).tolist()
    v0 = (counterfactual_part**2).sum(axis=0).tolist()
    cov = (treated_part * counterfactual_part).sum(axis=0).tolist()
    size_t, size_c = kish_size(w_t), kish_size(w_c)
    theta0 = [a - b for a, b in zip(theta1, att.tolist(), strict=True)]
    return [
        RareOutcomeParts(theta1[j], theta0[j], v1[j], v0[j], cov[j], size_t, size_c) if binary[j] else None
        for j in range(y.shape[1])
    ]


def bootstrap_atts(
    replicate: Callable[[np.ndarray, int], np.ndarray],
    clusters: np.ndarray,
    n_replicates: int,
    seed: int,
    on_step: Callable[[], None] | None = None,
) -> np.ndarray:
    """(replicates × outcomes) ATTs from resampling whole clusters with replacement; failed draws NaN."""
    rng = np.random.default_rng(seed)
    order = np.argsort(clusters, kind="stable")
    _, starts, counts = np.unique(clusters[order], return_index=True, return_counts=True)
    results: list[np.ndarray | None] = []
    for b in range(n_replicates):
        chosen = rng.integers(0, len(starts), len(starts))
        rows = order[_expand(starts[chosen], counts[chosen])]
        try:
            results.append(replicate(rows, seed + 1 + b))
        except AnalysisError:
            results.append(None)
        if on_step:
            on_step()
    width = next((len(r) for r in results if r is not None), 0)
    return np.asarray([r if r is not None else np.full(width, np.nan) for r in results])


def multiplier_draws(contributions: np.ndarray, n_replicates: int, seed: int, chunk: int = 25) -> np.ndarray:
    """(replicates × outcomes) deviations Σ_g ξ_g ψ_g with Rademacher ξ per cluster (wild bootstrap).

    The multiplier (wild) cluster bootstrap perturbs each cluster's linearised contribution instead of
    refitting on resampled data. It suits the doubly robust AIPW (insensitive to propensity errors)
    and costs one matrix product, so 200 replicates at 1.5 million people take seconds, not hours.
    For matching it is valid only with a known score (Otsu & Rai 2017): with an estimated one it
    under-covered on the benchmark, where the resampling bootstrap did not.
    """
    rng = np.random.default_rng(seed)
    out = []
    for first in range(0, n_replicates, chunk):
        size = min(chunk, n_replicates - first)
        signs = rng.integers(0, 2, (size, contributions.shape[0])) * 2.0 - 1.0
        out.append(signs @ contributions)
    return np.vstack(out)


def _expand(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenate the index ranges [start, start + count) without a Python loop."""
    total = int(counts.sum())
    offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return np.asarray(offsets + np.arange(total))
