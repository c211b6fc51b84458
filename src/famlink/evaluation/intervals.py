"""Confidence intervals for effects on binary outcomes, built to stay honest when events are rare.

Why not the usual estimate ± 1.96·SE: on the synthetic world (bench/bench_evaluation_world.py) the
comparison group often holds only 3–12 events per outcome window (juvenile custody, adult custody).
The comparison group's event rate is then a small count divided by a size, and its standard error is
estimated from that same count: a comparison group that happens to have few events gives both an
estimate too close to zero *and* too small a standard error (across seeds the error and the SE
correlated at −0.6 to −0.9), so the symmetric interval missed almost only on one side and covered
0.76–0.86 instead of 0.95 for the rarest outcome. Resampling does not cure this (the cluster bootstrap
that refits everything covered no better); it is the Wald interval for a small binomial count.

What we do instead, for every outcome coded 0/1:
1. Split the ATT into the treated group's mean θ₁ and the estimated counterfactual mean θ₀
   (ATT = θ₁ − θ₀); the estimator's per-cluster contributions give each one's variance and their
   covariance (`RareOutcomeParts`), scaled to the chosen SE method's variance.
2. Give each mean an exact (Clopper–Pearson) binomial interval at its *effective* sample size
   n_eff = θ(1 − θ)/Var(θ̂), never more than the side's (Kish) size: Korn & Graubard (1998), the
   interval the US National Center for Health Statistics prescribes for proportions from clustered
   samples (Parker et al. 2017). A small count gets the long upper tail that a Poisson-like count has.
3. Combine the two with MOVER (Newcombe 1998; Zou & Donner 2008, with the correlation term), which
   turns intervals for θ₁ and θ₀ into one for θ₁ − θ₀ and reduces to ± z·SE when both are symmetric.

With plenty of events this agrees with the Wald interval; with few it is wider on the side the
estimate is likely to have erred. Outcomes that are not 0/1, or means the linear outcome model pushed
outside [0, 1], keep the Wald interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.special import betaincinv
from scipy.stats import norm

_BISECTIONS = 40
_TINY = 1e-12


@dataclass(frozen=True)
class RareOutcomeParts:
    """θ₁ (treated mean), θ₀ (counterfactual mean), their variances, covariance and sizes."""

    treated_mean: float
    counterfactual_mean: float
    treated_variance: float
    counterfactual_variance: float
    covariance: float
    treated_size: float  # Kish effective size of the treated units used
    comparison_size: float  # Kish effective size of the weighted comparison units

    def scaled(self, factor: float) -> RareOutcomeParts:
        """The same parts with variances multiplied (to match a bootstrap's or wild bootstrap's SE)."""
        return RareOutcomeParts(
            self.treated_mean,
            self.counterfactual_mean,
            self.treated_variance * factor,
            self.counterfactual_variance * factor,
            self.covariance * factor,
            self.treated_size,
            self.comparison_size,
        )

    @property
    def proportions(self) -> bool:
        """Both means are proportions (the linear outcome model can push θ₀ outside [0, 1])."""
        return 0.0 <= self.treated_mean <= 1.0 and 0.0 <= self.counterfactual_mean <= 1.0


def effective_size(mean: float, variance: float, size: float) -> float:
    """Korn–Graubard effective sample size θ(1 − θ)/Var, capped at the actual (Kish) size.

    The cap matters most when events are fewest: the variance is then estimated from a handful of
    clusters and is itself too small, which would claim more information than the sample holds.
    """
    if variance <= 0 or mean <= 0 or mean >= 1:
        return size
    return min(size, mean * (1 - mean) / variance)


def exact_proportion_interval(mean: float, size: float, confidence: float) -> tuple[float, float]:
    """Clopper–Pearson interval for a proportion `mean` observed on `size` units (may be fractional).

    The limits are beta quantiles; `betaincinv` computes them without scipy.stats' per-call overhead.
    """
    alpha = 1 - confidence
    events = mean * size
    low = float(betaincinv(events, size - events + 1, alpha / 2)) if events > 0 else 0.0
    high = float(betaincinv(events + 1, size - events, 1 - alpha / 2)) if events < size else 1.0
    return low, high


def mover_difference(
    first: float,
    first_interval: tuple[float, float],
    second: float,
    second_interval: tuple[float, float],
    correlation: float = 0.0,
) -> tuple[float, float]:
    """Interval for first − second from intervals for each (MOVER, Zou & Donner 2008)."""
    (l1, u1), (l2, u2) = first_interval, second_interval
    difference = first - second
    below = (first - l1) ** 2 + (u2 - second) ** 2 - 2 * correlation * (first - l1) * (u2 - second)
    above = (u1 - first) ** 2 + (second - l2) ** 2 - 2 * correlation * (u1 - first) * (second - l2)
    return difference - math.sqrt(max(below, 0.0)), difference + math.sqrt(max(above, 0.0))


def rare_outcome_interval(parts: RareOutcomeParts, confidence: float) -> tuple[float, float]:
    """MOVER interval for θ₁ − θ₀ from Korn–Graubard intervals for θ₁ and θ₀."""
    t_size = effective_size(parts.treated_mean, parts.treated_variance, parts.treated_size)
    c_size = effective_size(parts.counterfactual_mean, parts.counterfactual_variance, parts.comparison_size)
    product = parts.treated_variance * parts.counterfactual_variance
    correlation = parts.covariance / math.sqrt(product) if product > 0 else 0.0
    return mover_difference(
        parts.treated_mean,
        exact_proportion_interval(parts.treated_mean, t_size, confidence),
        parts.counterfactual_mean,
        exact_proportion_interval(parts.counterfactual_mean, c_size, confidence),
        max(-1.0, min(1.0, correlation)),
    )


def rare_outcome_p_value(parts: RareOutcomeParts) -> float:
    """Two-sided p-value matching the interval: the largest α whose (1 − α) interval still covers 0.

    Found by bisection, because the interval has no closed-form test statistic; it agrees with the
    interval by construction (the 95% interval excludes 0 exactly when p < 0.05).
    """
    if _covers_zero(parts, _TINY):  # even the narrowest interval reaches 0
        return 1.0
    if not _covers_zero(parts, 1 - _TINY):
        return _TINY
    low, high = math.log(_TINY), 0.0  # log α: covers 0 at `low`, not at `high`
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        if _covers_zero(parts, 1 - math.exp(middle)):
            low = middle
        else:
            high = middle
    return math.exp(high)


def _covers_zero(parts: RareOutcomeParts, confidence: float) -> bool:
    low, high = rare_outcome_interval(parts, confidence)
    return low <= 0.0 <= high


def wald_interval(att: float, se: float, confidence: float) -> tuple[float, float]:
    z = float(norm.ppf(0.5 + confidence / 2))
    return att - z * se, att + z * se
