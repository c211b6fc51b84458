"""Balance diagnostics: did matching or weighting make the groups alike on what we measured?

Why our own: the formulas are short, and the libraries that have them (e.g. DoWhy, causallib) tie them
to their own estimator objects; we need them for every method, weighted by that method's own unit
weights, and on millions of rows. Conventions follow Austin (2009): the standardised mean difference
divides by the pooled standard deviation *before* adjustment in both columns, so a smaller number after
means the means moved, not that the yardstick changed. |SMD| < 0.1 and variance ratios in 0.5–2 are
the usual marks of adequate balance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from famlink.tabular import atomic_path

SMD_THRESHOLD = 0.1


@dataclass(frozen=True)
class BalanceRow:
    covariate: str
    smd_before: float
    smd_after: float
    variance_ratio_before: float
    variance_ratio_after: float

    @property
    def balanced(self) -> bool:
        return abs(self.smd_after) < SMD_THRESHOLD


def weighted_mean_var(values: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Weighted mean and variance (dividing by the total weight, i.e. population-style)."""
    total = float(weights.sum())
    mean = float(weights @ values / total)
    var = float(weights @ (values - mean) ** 2 / total)
    return mean, var


def balance_table(
    covariates: np.ndarray, names: list[str], treated: np.ndarray, weights: np.ndarray
) -> list[BalanceRow]:
    """SMD and variance ratio (treated over control) for each covariate, before and after weighting."""
    ones = np.ones(len(treated))
    rows = []
    for index, name in enumerate(names):
        column = covariates[:, index]
        mean_t, var_t = weighted_mean_var(column[treated], ones[treated])
        mean_c, var_c = weighted_mean_var(column[~treated], ones[~treated])
        after_t, avar_t = weighted_mean_var(column[treated], weights[treated])
        after_c, avar_c = weighted_mean_var(column[~treated], weights[~treated])
        pooled = np.sqrt((var_t + var_c) / 2)
        rows.append(
            BalanceRow(
                covariate=name,
                smd_before=_ratio(mean_t - mean_c, pooled),
                smd_after=_ratio(after_t - after_c, pooled),
                variance_ratio_before=_ratio(var_t, var_c),
                variance_ratio_after=_ratio(avar_t, avar_c),
            )
        )
    return rows


def _ratio(top: float, bottom: float) -> float:
    if bottom > 0:
        return float(top / bottom)
    return 0.0 if abs(top) == 0 else float("nan")


def plot_common_support(
    scores: np.ndarray, treated: np.ndarray, path: str | Path, title: str = "Common support"
) -> Path:
    """Mirrored histograms of propensity scores (treated above, comparison below) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bins = np.linspace(0, 1, 41)
    top, _ = np.histogram(scores[treated], bins=bins)
    bottom, _ = np.histogram(scores[~treated], bins=bins)
    centres = (bins[:-1] + bins[1:]) / 2
    figure, axes = plt.subplots(figsize=(7, 4))
    axes.bar(centres, top / max(top.sum(), 1), width=bins[1] - bins[0], label="programme", color="#1f77b4")
    axes.bar(
        centres, -bottom / max(bottom.sum(), 1), width=bins[1] - bins[0], label="comparison", color="#ff7f0e"
    )
    axes.axhline(0, color="black", linewidth=0.8)
    axes.set_xlabel("propensity score")
    axes.set_ylabel("share of group (comparison drawn downwards)")
    axes.set_title(title)
    axes.legend()
    target = Path(path)
    with atomic_path(target) as tmp:
        figure.savefig(tmp, format="png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    return target
