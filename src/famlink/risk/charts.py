"""Charts for the risk report: matplotlib PNGs embedded as base64 so the HTML opens offline."""

from __future__ import annotations

import base64
import io
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

LABELS = {
    "logistic": "logistic (transparent)",
    "boosted": "gradient-boosted",
    "rule": "simple rule (2+ problems)",
}


def _png(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def calibration_chart(calibration: dict[str, dict[str, list[float]]]) -> str:
    """Observed rate against predicted risk for each scorer; the diagonal is perfect calibration."""
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    top = 0.0
    for name, points in calibration.items():
        ax.plot(points["predicted"], points["observed"], marker="o", label=LABELS.get(name, name))
        top = max([top, *points["predicted"], *points["observed"]])
    top = top * 1.05 or 1.0
    ax.plot([0, top], [0, top], linestyle="--", color="grey", label="perfectly calibrated")
    ax.set_xlabel("mean predicted risk (bins of equal size)")
    ax.set_ylabel("observed rate of plan or care within 12 months")
    ax.set_title("Calibration on the later test period")
    ax.legend(fontsize=8)
    return _png(fig)


def metrics_chart(metrics: dict[str, dict[str, Any]]) -> str:
    """Precision and recall at review capacity, side by side for the models and the rule."""
    names = list(metrics)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    width = 0.38
    for offset, key in ((-width / 2, "precision_at_capacity"), (width / 2, "recall_at_capacity")):
        values = [metrics[n][key] or 0.0 for n in names]
        ax.bar([i + offset for i in range(len(names))], values, width, label=key.replace("_", " "))
    ax.set_xticks(range(len(names)), [LABELS.get(n, n) for n in names], fontsize=8)
    ax.set_ylabel("proportion")
    ax.set_title("At the council's review capacity")
    ax.legend(fontsize=8)
    return _png(fig)


def fairness_chart(audit: dict[str, Any], metric: str) -> str:
    """One metric by group for one attribute, with 95% bootstrap intervals."""
    groups = audit["groups"]
    fig, ax = plt.subplots(figsize=(6, 0.45 * len(groups) + 1.2))
    for i, g in enumerate(groups):
        value = g[metric]
        if value is None:
            continue
        ci = g.get(f"{metric}_ci") or [value, value]
        low, high = (ci[0] if ci[0] is not None else value), (ci[1] if ci[1] is not None else value)
        ax.errorbar(value, i, xerr=[[value - low], [high - value]], fmt="o", capsize=3)
    ax.set_yticks(range(len(groups)), [f"{g['group']} (n={g['n']})" for g in groups], fontsize=8)
    ax.set_xlabel(metric.replace("_", " "))
    ax.set_title(f"{metric.replace('_', ' ')} by {audit['attribute']}", fontsize=10)
    if metric == "calibration_gap":
        ax.axvline(0, color="grey", linestyle="--")
    return _png(fig)
