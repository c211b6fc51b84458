"""Fairness audit: how the flags and the probabilities fall across sex, ethnicity, disability and
area deprivation, with bootstrap confidence intervals (fairlearn's MetricFrame).

A screening tool that misses more of one group's children, or flags one group's families more often
for the same risk, does harm even when its overall accuracy looks fine. For each group this reports
the selection rate, false negative and false positive rates among the children flagged at review
capacity, and calibration (mean predicted risk minus the observed rate), plus the gap between the
best- and worst-off groups.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
)

from famlink.risk.features import ATTRIBUTE_COLUMNS

FAIRNESS_METRICS = ("selection_rate", "false_negative_rate", "false_positive_rate", "calibration_gap")


def calibration_gap(y_true: np.ndarray, y_pred: np.ndarray, *, probability: np.ndarray) -> float:
    """Mean predicted probability minus observed rate: positive means the group's risk is overstated."""
    del y_pred  # MetricFrame passes flags as y_pred; calibration is about the probabilities
    return float(np.mean(probability) - np.mean(y_true))


def _count(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    del y_pred
    return float(len(y_true))


def _observed_rate(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    del y_pred
    return float(np.mean(y_true))


def _frame(labels: np.ndarray, flags: np.ndarray, probability: np.ndarray, groups: pd.Series) -> MetricFrame:
    metrics = {
        "selection_rate": selection_rate,
        "false_negative_rate": false_negative_rate,
        "false_positive_rate": false_positive_rate,
        "calibration_gap": calibration_gap,
        "count": _count,
        "observed_rate": _observed_rate,
    }
    return MetricFrame(
        metrics=metrics,
        y_true=labels,
        y_pred=flags.astype(int),
        sensitive_features=pd.Series(groups.astype(str).to_numpy(), name=str(groups.name)),
        sample_params={"calibration_gap": {"probability": probability}},
    )


def _group_metrics(
    labels: np.ndarray, flags: np.ndarray, probability: np.ndarray, codes: np.ndarray, n_groups: int,
    weights: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """(n_groups, 4) array of the four metrics from weighted counts (a bootstrap draw is a weighting)."""
    n = np.bincount(codes, weights=weights, minlength=n_groups)
    pos = np.bincount(codes, weights=weights * labels, minlength=n_groups)
    neg = n - pos
    sel = np.bincount(codes, weights=weights * flags, minlength=n_groups)
    tp = np.bincount(codes, weights=weights * flags * labels, minlength=n_groups)
    prob = np.bincount(codes, weights=weights * probability, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.stack([sel / n, (pos - tp) / pos, (sel - tp) / neg, (prob - pos) / n], axis=1)


def bootstrap_intervals(
    labels: np.ndarray,
    flags: np.ndarray,
    probability: np.ndarray,
    groups: pd.Series,
    n_boot: int,
    seed: int,
    clusters: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """95% percentile intervals by group (groups x metrics x 2) and for the max-min gap (metrics x 2).

    Resamples whole children (`clusters`: one id per row) when given, because the same child appears
    in every test month and resampling rows would make the intervals too narrow; otherwise rows.
    Each draw is a weighting of the rows (how often its child was drawn), so nothing is copied.
    MetricFrame's own bootstrap recomputes through pandas and is far too slow to run on every training.
    """
    names, codes = np.unique(groups.astype(str).to_numpy(), return_inverse=True)
    if clusters is None:
        cluster_codes = np.arange(len(labels))
    else:
        cluster_codes = np.unique(np.asarray(clusters), return_inverse=True)[1]
    n_clusters = int(cluster_codes.max()) + 1 if len(cluster_codes) else 0
    rng = np.random.default_rng(seed)
    k = len(names)
    draws = np.empty((n_boot, k, len(FAIRNESS_METRICS)))
    for b in range(n_boot):
        times_drawn = np.bincount(rng.integers(0, n_clusters, n_clusters), minlength=n_clusters)
        weights = times_drawn[cluster_codes].astype(float)
        draws[b] = _group_metrics(labels, flags, probability, codes, k, weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        by_group = np.nanpercentile(draws, [2.5, 97.5], axis=0).transpose(1, 2, 0)
        gaps = np.nanmax(draws, axis=1) - np.nanmin(draws, axis=1)
        gap_ci = np.nanpercentile(gaps, [2.5, 97.5], axis=0).T
    return by_group, gap_ci, [str(n) for n in names]


def audit_attribute(
    labels: np.ndarray,
    flags: np.ndarray,
    probability: np.ndarray,
    groups: pd.Series,
    *,
    n_boot: int = 100,
    seed: int = 0,
    clusters: np.ndarray | None = None,
) -> dict[str, Any]:
    """By-group metrics (fairlearn MetricFrame) with 95% bootstrap intervals, and the max-min gap per
    metric with its interval (a max-min gap's bootstrap interval leans upwards: read it as a range)."""
    labels = np.asarray(labels, dtype=float)
    flags = np.asarray(flags, dtype=float)
    probability = np.asarray(probability, dtype=float)
    frame = _frame(labels.astype(int), flags.astype(bool), probability, groups)
    by_group = frame.by_group
    group_ci: np.ndarray | None = None
    gap_ci: np.ndarray | None = None
    names: list[str] = []
    if n_boot > 0:
        group_ci, gap_ci, names = bootstrap_intervals(
            labels, flags, probability, groups, n_boot, seed, clusters
        )
    rows: list[dict[str, Any]] = []
    for group in by_group.index:
        row: dict[str, Any] = {"group": str(group), "n": int(by_group.loc[group, "count"])}
        row["observed_rate"] = float(by_group.loc[group, "observed_rate"])
        for m, metric in enumerate(FAIRNESS_METRICS):
            row[metric] = _num(by_group.loc[group, metric])
            if group_ci is not None:
                g = names.index(str(group))
                row[f"{metric}_ci"] = [_num(group_ci[g, m, 0]), _num(group_ci[g, m, 1])]
        rows.append(row)
    gaps: dict[str, Any] = {}
    difference = frame.difference()
    for m, metric in enumerate(FAIRNESS_METRICS):
        gaps[metric] = {"gap": _num(difference[metric])}
        if gap_ci is not None:
            gaps[metric]["ci"] = [_num(gap_ci[m, 0]), _num(gap_ci[m, 1])]
    return {"attribute": str(groups.name), "groups": rows, "gaps": gaps}


def _num(value: Any) -> float | None:
    number = float(value)
    return None if np.isnan(number) else number


def fairness_audit(
    test: pd.DataFrame, flags: np.ndarray, probability: np.ndarray, *, n_boot: int, seed: int
) -> list[dict[str, Any]]:
    """Audit every protected attribute on the test period."""
    labels = test["label"].to_numpy(int)
    children = test["record_id"].to_numpy()
    return [
        audit_attribute(
            labels,
            flags,
            probability,
            test[attribute].reset_index(drop=True),
            n_boot=n_boot,
            seed=seed,
            clusters=children,
        )
        for attribute in ATTRIBUTE_COLUMNS
    ]


def calibration_gap_among_sizeable_groups(audit: dict[str, Any], min_group_size: int) -> float | None:
    """Largest minus smallest calibration gap among groups with at least `min_group_size` children."""
    values = [
        g["calibration_gap"]
        for g in audit["groups"]
        if g["n"] >= min_group_size and g["calibration_gap"] is not None
    ]
    if len(values) < 2:
        return None
    return float(max(values) - min(values))
