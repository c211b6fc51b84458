"""`famlink risk report`: one offline HTML page with the honest figures, charts and stop-rule status.

Rebuilt on every run from the stored evaluation and the queue's decisions, so the stop rules are
checked each time anyone looks: a model that has started failing them says so at the top of the page.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from jinja2 import Environment, select_autoescape

from famlink.risk.charts import calibration_chart, fairness_chart, metrics_chart
from famlink.risk.fairness import FAIRNESS_METRICS
from famlink.risk.stop_rules import StopRuleStatus, any_stop

_TEMPLATE = files("famlink.risk").joinpath("templates/report.html.j2")


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _ci(interval: list[float | None] | None) -> str:
    if not interval or interval[0] is None or interval[1] is None:
        return ""
    return f"({interval[0]:.3f} to {interval[1]:.3f})"


def render_report(
    evaluation: dict[str, Any], stop_rules: list[StopRuleStatus], decisions: dict[str, int]
) -> str:
    """The whole page as a string."""
    charts = {
        "metrics": metrics_chart(evaluation["metrics"]),
        "calibration": calibration_chart(evaluation["calibration"]),
    }
    for audit in evaluation["fairness"]:
        for metric in ("false_negative_rate", "calibration_gap"):
            charts[f"fair_{audit['attribute']}_{metric}"] = fairness_chart(audit, metric)
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.from_string(_TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        run=evaluation["run"],
        deployed=evaluation["deployed_model"],
        metrics=evaluation["metrics"],
        rule_all=evaluation["rule_without_capacity"],
        counts=evaluation["test_counts"],
        verdict=evaluation["verdict"],
        fairness=evaluation["fairness"],
        coefficients=evaluation["coefficients"],
        stop_rules=[s.to_dict() for s in stop_rules],
        stopped=any_stop(stop_rules),
        decisions=decisions,
        charts=charts,
        fmetrics=FAIRNESS_METRICS,
        fmt=_fmt,
        ci=_ci,
    )
