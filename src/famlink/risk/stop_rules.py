"""Stop rules: the conditions under which the council must switch the model off.

They are written into the model card and checked by `famlink risk report` on every run, so a model
that stops earning its place is caught by the software, not left to someone remembering to look.
Each rule reports 'ok', 'STOP', or 'not yet assessable' (e.g. too few practitioner decisions), and
the model may be used only while no rule says STOP.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from famlink.risk.fairness import calibration_gap_among_sizeable_groups
from famlink.risk.settings import RiskSettings

OK, STOP, NOT_ASSESSABLE = "ok", "STOP", "not yet assessable"


@dataclass(frozen=True)
class StopRuleStatus:
    rule: str
    status: str
    measured: str
    limit: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def precision_rule(model_precision: float, rule_precision: float) -> StopRuleStatus:
    """STOP if, at review capacity, the model's flags are less often right than the simple rule's."""
    status = STOP if model_precision < rule_precision else OK
    return StopRuleStatus(
        "precision at review capacity is not below the simple rule's",
        status,
        f"model {model_precision:.3f} vs rule {rule_precision:.3f}",
        "model >= rule",
    )


def calibration_rule(fairness: list[dict[str, Any]], settings: RiskSettings) -> StopRuleStatus:
    """STOP if, for any protected attribute, calibration differs between groups by more than the limit."""
    worst: tuple[float, str] | None = None
    for audit in fairness:
        gap = calibration_gap_among_sizeable_groups(audit, settings.min_group_size)
        if gap is not None and (worst is None or gap > worst[0]):
            worst = (gap, str(audit["attribute"]))
    limit = f"<= {settings.calibration_gap_limit:.4f} (groups of {settings.min_group_size}+ child-months)"
    name = "calibration gap between groups is within the limit"
    if worst is None:
        return StopRuleStatus(name, NOT_ASSESSABLE, "fewer than two sizeable groups", limit)
    status = STOP if worst[0] > settings.calibration_gap_limit else OK
    return StopRuleStatus(name, status, f"{worst[0]:.4f} (largest, by {worst[1]})", limit)


def disagreement_rule(decision_counts: dict[str, int], settings: RiskSettings) -> StopRuleStatus:
    """STOP if practitioners disagree with more than the limit share of the flags they reviewed."""
    total = sum(decision_counts.values())
    disagree = decision_counts.get("disagree", 0)
    name = "practitioners agree with most flags"
    needed = settings.min_decisions_for_disagreement_rule
    limit = f"disagree <= {settings.disagreement_limit:.0%} (once {needed}+ decisions are recorded)"
    if total < settings.min_decisions_for_disagreement_rule:
        return StopRuleStatus(name, NOT_ASSESSABLE, f"{total} decision(s) recorded so far", limit)
    share = disagree / total
    status = STOP if share > settings.disagreement_limit else OK
    return StopRuleStatus(name, status, f"{disagree} of {total} ({share:.0%}) disagreed", limit)


def check_stop_rules(
    evaluation: dict[str, Any], decision_counts: dict[str, int], settings: RiskSettings
) -> list[StopRuleStatus]:
    """All stop rules for a training run's evaluation and the queue's decisions so far."""
    deployed = evaluation["deployed_model"]
    metrics = evaluation["metrics"]
    return [
        precision_rule(metrics[deployed]["precision_at_capacity"], metrics["rule"]["precision_at_capacity"]),
        calibration_rule(evaluation["fairness"], settings),
        disagreement_rule(decision_counts, settings),
    ]


def any_stop(statuses: list[StopRuleStatus]) -> bool:
    return any(s.status == STOP for s in statuses)
