"""Fairness figures on a table small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from famlink.risk.fairness import audit_attribute, calibration_gap_among_sizeable_groups

# group a: labels 1 1 0 0, flags 1 0 1 0, predicted 0.5 each
# group b: labels 1 0 0 0, flags 0 0 0 0, predicted 0.1 each
LABELS = np.array([1, 1, 0, 0, 1, 0, 0, 0])
FLAGS = np.array([1, 0, 1, 0, 0, 0, 0, 0])
PROB = np.array([0.5] * 4 + [0.1] * 4)
GROUPS = pd.Series(list("aaaabbbb"), name="sex")


def test_by_group_rates_and_gaps_match_a_hand_count() -> None:
    audit = audit_attribute(LABELS, FLAGS, PROB, GROUPS, n_boot=0)
    a, b = audit["groups"]
    assert (a["group"], a["n"], b["group"], b["n"]) == ("a", 4, "b", 4)
    assert a["selection_rate"] == 0.5 and b["selection_rate"] == 0.0
    assert a["false_negative_rate"] == 0.5 and b["false_negative_rate"] == 1.0
    assert a["false_positive_rate"] == 0.5 and b["false_positive_rate"] == 0.0
    assert a["calibration_gap"] == pytest.approx(0.0)  # predicted 0.5, observed 2/4
    assert b["calibration_gap"] == pytest.approx(-0.15)  # predicted 0.1, observed 1/4
    gaps = {metric: g["gap"] for metric, g in audit["gaps"].items()}
    assert gaps == pytest.approx(
        {
            "selection_rate": 0.5,
            "false_negative_rate": 0.5,
            "false_positive_rate": 0.5,
            "calibration_gap": 0.15,
        }
    )


def test_bootstrap_intervals_are_ordered_and_bracket_a_stable_estimate() -> None:
    rng = np.random.default_rng(3)
    n = 4000
    groups = pd.Series(rng.choice(["x", "y"], n), name="disability")
    labels = (rng.random(n) < 0.2).astype(int)
    flags = (rng.random(n) < 0.3).astype(int)
    audit = audit_attribute(labels, flags, np.full(n, 0.2), groups, n_boot=200, seed=1)
    for group in audit["groups"]:
        for metric in ("selection_rate", "false_negative_rate", "false_positive_rate", "calibration_gap"):
            low, high = group[f"{metric}_ci"]
            assert low <= group[metric] <= high
            assert high - low < 0.1
    low, high = audit["gaps"]["selection_rate"]["ci"]
    assert 0 <= low <= high < 0.1


def test_small_groups_do_not_count_towards_the_calibration_stop_rule() -> None:
    audit = audit_attribute(LABELS, FLAGS, PROB, GROUPS, n_boot=0)
    assert calibration_gap_among_sizeable_groups(audit, min_group_size=4) == pytest.approx(0.15)
    assert calibration_gap_among_sizeable_groups(audit, min_group_size=5) is None


def test_resampling_whole_children_widens_intervals_when_children_repeat() -> None:
    """Twelve identical months of the same 300 children: row resampling pretends there are 3,600
    independent children; resampling children gives the honest, wider interval."""
    rng = np.random.default_rng(5)
    labels_once = (rng.random(300) < 0.3).astype(int)
    groups = pd.Series(np.tile(rng.choice(["x", "y"], 300), 12), name="sex")
    labels, children = np.tile(labels_once, 12), np.tile(np.arange(300), 12)
    flags, prob = np.zeros(3600), np.full(3600, 0.3)
    rows = audit_attribute(labels, flags, prob, groups, n_boot=200, seed=2)
    kids = audit_attribute(labels, flags, prob, groups, n_boot=200, seed=2, clusters=children)

    def width(audit: dict[str, object]) -> float:
        low, high = audit["groups"][0]["calibration_gap_ci"]  # type: ignore[index]
        return float(high - low)

    assert width(kids) > 2.5 * width(rows)
