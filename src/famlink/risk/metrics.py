"""Honest metrics on the later test period, for the models and the simple rule on the same children.

The number that matters to a council is not AUC but: of the children practitioners can review each
month, how many go on to a plan or care (precision at capacity), and what share of those children
does the list catch (recall at capacity). Ties (the rule gives many children the same score) are
broken at random with a fixed seed, which is what picking k children from a tied list amounts to.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score


def flags_at_capacity(ref_dates: pd.Series, scores: np.ndarray, capacity: int, seed: int) -> np.ndarray:
    """True for the `capacity` highest-scored rows within each reference date (random tie-break)."""
    rng = np.random.default_rng(seed)
    order_key = pd.DataFrame(
        {"ref": ref_dates.to_numpy(), "score": scores, "tie": rng.random(len(scores))},
    )
    order_key = order_key.sort_values(["ref", "score", "tie"], ascending=[True, False, True], kind="stable")
    rank = order_key.groupby("ref", sort=False).cumcount()
    flagged = np.zeros(len(scores), dtype=bool)
    flagged[order_key.index[rank.to_numpy() < capacity]] = True
    return flagged


@dataclass(frozen=True)
class ScoreMetrics:
    """One scorer's results on the test period."""

    name: str
    roc_auc: float
    average_precision: float
    brier: float
    precision_at_capacity: float
    recall_at_capacity: float
    flagged: int
    true_positives: int
    positives: int

    def to_dict(self) -> dict[str, float | int | str]:
        return asdict(self)


def _safe_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    if len(np.unique(labels)) < 2:
        return float("nan")
    return float(roc_auc_score(labels, scores))


def _safe_ap(labels: np.ndarray, scores: np.ndarray) -> float:
    if labels.sum() == 0:
        return float("nan")
    return float(average_precision_score(labels, scores))


def score_metrics(
    name: str,
    labels: np.ndarray,
    probabilities: np.ndarray,
    ranking: np.ndarray,
    ref_dates: pd.Series,
    capacity: int,
    seed: int,
) -> ScoreMetrics:
    """Metrics for one scorer. `ranking` orders children (for the rule: its problem count);
    `probabilities` are what the scorer claims (for the rule: training rate by problem count)."""
    labels = np.asarray(labels, dtype=int)
    flagged = flags_at_capacity(ref_dates, ranking, capacity, seed)
    tp = int((labels[flagged] == 1).sum())
    positives = int(labels.sum())
    return ScoreMetrics(
        name=name,
        roc_auc=_safe_auc(labels, ranking),
        average_precision=_safe_ap(labels, ranking),
        brier=float(brier_score_loss(labels, probabilities)),
        precision_at_capacity=tp / int(flagged.sum()) if flagged.any() else float("nan"),
        recall_at_capacity=tp / positives if positives else float("nan"),
        flagged=int(flagged.sum()),
        true_positives=tp,
        positives=positives,
    )


def calibration_points(
    labels: np.ndarray, probabilities: np.ndarray, bins: int = 10
) -> dict[str, list[float]]:
    """Observed rate against mean predicted probability in equal-sized bins of predicted risk."""
    n_bins = max(2, min(bins, len(np.unique(probabilities))))
    observed, predicted = calibration_curve(labels, probabilities, n_bins=n_bins, strategy="quantile")
    return {"predicted": [float(v) for v in predicted], "observed": [float(v) for v in observed]}


def rule_flags_all(problems: pd.Series) -> np.ndarray:
    """The simple rule with no capacity limit: every child in a family with 2+ headline problems."""
    return np.asarray(problems.to_numpy() >= 2, dtype=bool)


def precision_difference_interval(
    labels: np.ndarray,
    ref_dates: pd.Series,
    model_flags: np.ndarray,
    rule_flags: np.ndarray,
    *,
    n_boot: int,
    seed: int,
) -> tuple[float, float, float]:
    """Model minus rule precision at capacity, with a 95% interval from resampling whole months.

    Months are resampled rather than children because flags within a month compete for the same
    review places; with a year of test months the interval is wide, and the report says so.
    """
    frame = pd.DataFrame({"ref": ref_dates.to_numpy(), "y": labels,
                          "m": model_flags & (labels == 1), "r": rule_flags & (labels == 1),
                          "mf": model_flags, "rf": rule_flags})  # fmt: skip
    monthly = frame.groupby("ref")[["m", "r", "mf", "rf"]].sum().to_numpy(float)
    point = monthly[:, 0].sum() / monthly[:, 2].sum() - monthly[:, 1].sum() / monthly[:, 3].sum()
    rng = np.random.default_rng(seed)
    draws = monthly[rng.integers(0, len(monthly), (n_boot, len(monthly)))].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        diffs = draws[:, 0] / draws[:, 2] - draws[:, 1] / draws[:, 3]
    low, high = np.nanpercentile(diffs, [2.5, 97.5])
    return float(point), float(low), float(high)
