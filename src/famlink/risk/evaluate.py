"""Evaluate both models and the simple rule on the same later test children, and say plainly which won.

The simple rule is what a council could do with no model at all: rank children by how many of the
programme's headline problems their family has, and review the two-or-more families first. A model is
only worth its risks if it beats that, so every figure is reported side by side, and the verdict is a
sentence in the report, not something a reader has to work out.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from famlink.risk.explain import coefficient_table
from famlink.risk.fairness import fairness_audit
from famlink.risk.metrics import (
    calibration_points,
    flags_at_capacity,
    precision_difference_interval,
    rule_flags_all,
    score_metrics,
)
from famlink.risk.models import MODEL_KINDS, FittedModels
from famlink.risk.settings import RiskSettings


def _rule_all_summary(test: pd.DataFrame) -> dict[str, Any]:
    flags = rule_flags_all(test["rule_problems"])
    labels = test["label"].to_numpy(int)
    tp = int(labels[flags].sum())
    return {
        "flagged": int(flags.sum()),
        "flagged_per_reference_date": float(flags.sum() / max(1, test["ref_date"].nunique())),
        "precision": tp / int(flags.sum()) if flags.any() else None,
        "recall": tp / int(labels.sum()) if labels.sum() else None,
    }


def verdict(
    metrics: dict[str, dict[str, Any]],
    deployed: str,
    precision_gap: tuple[float, float, float] | None = None,
) -> dict[str, Any]:
    """Does the deployed model beat the rule on precision at capacity and on ranking (AUC, AP)?
    `precision_gap` (difference, low, high) adds whether the precision difference is beyond chance."""
    model, rule = metrics[deployed], metrics["rule"]
    comparisons = {
        key: bool(model[key] > rule[key])
        for key in ("precision_at_capacity", "recall_at_capacity", "roc_auc", "average_precision")
        if model[key] is not None and rule[key] is not None
    }
    beats = comparisons.get("precision_at_capacity", False) and comparisons.get("average_precision", False)
    if beats:
        sentence = (
            f"The {deployed} model beats the simple rule on the later test period: at review capacity "
            f"{model['precision_at_capacity']:.1%} of its flags were followed by a plan or care, against "
            f"{rule['precision_at_capacity']:.1%} for the rule."
        )
    else:
        sentence = (
            f"The {deployed} model does NOT beat the simple rule 'two or more headline problems' on the "
            f"later test period (precision at capacity {model['precision_at_capacity']:.1%} vs "
            f"{rule['precision_at_capacity']:.1%}; average precision {model['average_precision']:.3f} vs "
            f"{rule['average_precision']:.3f}). On this evidence the council should not use it."
        )
    if precision_gap is not None:
        diff, low, high = precision_gap
        sentence += (
            f" The difference in precision at capacity is {diff:+.1%} (95% interval {low:+.1%} to "
            f"{high:+.1%}, resampling test months)" + (": it could be chance." if low <= 0 <= high else ".")
        )
    return {
        "beats_rule": beats,
        "comparisons": comparisons,
        "precision_difference": list(precision_gap) if precision_gap else None,
        "sentence": sentence,
    }


def _clean(value: Any) -> Any:
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def evaluate_on_test(models: FittedModels, test: pd.DataFrame, settings: RiskSettings) -> dict[str, Any]:
    """All metrics, calibration curves and the fairness audit on the test period."""
    test = test.reset_index(drop=True)
    labels = test["label"].to_numpy(int)
    refs = test["ref_date"]
    capacity, seed = settings.review_capacity_per_month, settings.seed
    probabilities = {kind: models.predict(kind, test) for kind in MODEL_KINDS}
    probabilities["rule"] = models.rule_probability(test["rule_problems"])
    rankings = {**probabilities, "rule": test["rule_problems"].to_numpy(float)}
    metrics = {
        name: {k: _clean(v) for k, v in score_metrics(
            name, labels, probabilities[name], rankings[name], refs, capacity, seed
        ).to_dict().items()}
        for name in (*MODEL_KINDS, "rule")
    }  # fmt: skip
    deployed = settings.deployed_model
    flags = flags_at_capacity(refs, probabilities[deployed], capacity, seed)
    rule_flags = flags_at_capacity(refs, rankings["rule"], capacity, seed)
    gap = precision_difference_interval(
        labels, refs, flags, rule_flags, n_boot=max(200, settings.bootstrap_samples), seed=seed
    )
    return {
        "deployed_model": deployed,
        "metrics": metrics,
        "rule_without_capacity": _rule_all_summary(test),
        "calibration": {name: calibration_points(labels, p) for name, p in probabilities.items()},
        "fairness": fairness_audit(
            test, flags, probabilities[deployed], n_boot=settings.bootstrap_samples, seed=seed
        ),
        "coefficients": coefficient_table(models),
        "verdict": verdict(metrics, deployed, gap),
        "test_counts": {
            "rows": len(test),
            "children": int(test["record_id"].nunique()),
            "reference_dates": int(refs.nunique()),
            "positives": int(labels.sum()),
            "base_rate": float(labels.mean()) if len(labels) else None,
        },
    }
