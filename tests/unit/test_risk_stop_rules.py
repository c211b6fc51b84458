"""Stop rules fire when they should and only then."""

from __future__ import annotations

from typing import Any

from famlink.risk.settings import RiskSettings
from famlink.risk.stop_rules import NOT_ASSESSABLE, OK, STOP, check_stop_rules

SETTINGS = RiskSettings(calibration_gap_limit=0.02, min_group_size=30, disagreement_limit=0.5,
                        min_decisions_for_disagreement_rule=20)  # fmt: skip


def _evaluation(
    model_precision: float, rule_precision: float, gaps: list[tuple[int, float]]
) -> dict[str, Any]:
    groups = [{"group": f"g{i}", "n": n, "calibration_gap": gap} for i, (n, gap) in enumerate(gaps)]
    return {
        "deployed_model": "logistic",
        "metrics": {"logistic": {"precision_at_capacity": model_precision},
                    "rule": {"precision_at_capacity": rule_precision}},
        "fairness": [{"attribute": "ethnicity", "groups": groups, "gaps": {}}],
    }  # fmt: skip


def _statuses(evaluation: dict[str, Any], decisions: dict[str, int]) -> list[str]:
    return [s.status for s in check_stop_rules(evaluation, decisions, SETTINGS)]


def test_a_model_that_beats_the_rule_with_even_calibration_passes() -> None:
    evaluation = _evaluation(0.30, 0.10, [(500, 0.010), (200, 0.000), (40, -0.005)])
    assert _statuses(evaluation, {"offer_early_help": 15, "no_action": 10, "disagree": 5}) == [OK, OK, OK]


def test_precision_below_the_rule_stops_the_model() -> None:
    evaluation = _evaluation(0.09, 0.10, [(500, 0.0), (200, 0.0)])
    assert _statuses(evaluation, {})[0] == STOP


def test_a_calibration_gap_above_the_limit_stops_the_model_but_a_tiny_group_does_not() -> None:
    assert (
        _statuses(
            _evaluation(
                0.3,
                0.1,
                [(500, 0.015), (200, -0.010)],
            ),
            {},
        )[1]
        == STOP
    )  # gap 0.025
    assert _statuses(_evaluation(0.3, 0.1, [(500, 0.015), (200, 0.000), (10, -0.2)]), {})[1] == OK
    assert _statuses(_evaluation(0.3, 0.1, [(500, 0.015), (10, -0.2)]), {})[1] == NOT_ASSESSABLE


def test_practitioners_disagreeing_with_most_flags_stops_the_model_once_enough_decided() -> None:
    evaluation = _evaluation(0.3, 0.1, [(500, 0.0), (200, 0.0)])
    assert _statuses(evaluation, {"disagree": 15, "no_action": 4})[2] == NOT_ASSESSABLE  # 19 < 20
    assert _statuses(evaluation, {"disagree": 11, "no_action": 9})[2] == STOP  # 55%
    assert _statuses(evaluation, {"disagree": 10, "no_action": 10})[2] == OK  # 50% is not "most"
