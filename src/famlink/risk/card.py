"""The model card and the Algorithmic Transparency Recording Standard (ATRS) record, from the run.

Both are generated from the stored evaluation, so the numbers a council publishes are the numbers
the software measured, including the bad ones; nothing in them is typed by hand.
"""

from __future__ import annotations

from typing import Any

from famlink.risk.catalogue import EVENT_KINDS
from famlink.risk.stop_rules import StopRuleStatus, any_stop


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _metrics_table(metrics: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| scorer | ROC AUC | average precision | Brier | precision at capacity | recall at capacity |",
        "|---|---|---|---|---|---|",
    ]
    for name, m in metrics.items():
        lines.append(
            f"| {name} | {_num(m['roc_auc'])} | {_num(m['average_precision'])} | {_num(m['brier'])} "
            f"| {_pct(m['precision_at_capacity'])} | {_pct(m['recall_at_capacity'])} |"
        )
    return lines


def _fairness_lines(fairness: list[dict[str, Any]]) -> list[str]:
    lines = ["| attribute | metric | gap (max-min) | 95% interval |", "|---|---|---|---|"]
    for audit in fairness:
        for metric, gap in audit["gaps"].items():
            ci = gap.get("ci") or [None, None]
            lines.append(
                f"| {audit['attribute']} | {metric.replace('_', ' ')} | {_num(gap['gap'])} "
                f"| {_num(ci[0])} to {_num(ci[1])} |"
            )
    return lines


def model_card(evaluation: dict[str, Any], stop_rules: list[StopRuleStatus]) -> str:
    """Markdown model card with the run's real numbers and the stop rules' current status."""
    run, counts, settings = evaluation["run"], evaluation["test_counts"], evaluation["run"]["settings"]
    lines = [
        f"# Model card: children's safeguarding risk model ({run['council']}, {run['model_id']})",
        "",
        "## Intended use",
        "Ranks children on the council's multi-agency data so that practitioners can consider offering "
        "early help. It is a prompt for a human review, never a decision: every flag goes to a review "
        "queue and nothing happens without a practitioner's recorded decision and reason. Not for use "
        "in any decision about a child protection plan, care, benefits, housing or policing.",
        "",
        "## Data",
        f"The council's own local tables only (data from {run['data_span'][0]} to {run['data_span'][1]}): "
        "school attendance and exclusions, children's social care, domestic abuse, police and anti-social "
        "behaviour, housing, benefits, debt and council tax, health flags. Never data returned for "
        "research. Features: counts over 3 and 12 months and days since the latest record, for the "
        f"child and the family, over {len(EVENT_KINDS)} kinds of record, plus school absence and age. "
        "Sex, ethnicity, disability and area deprivation are not inputs; they are used only for the "
        "fairness audit.",
        "",
        "## Target and validation",
        f"A child starting a child protection plan or becoming looked after within "
        f"{settings['horizon_months']} months of the reference date. Children who started one in the "
        f"year before are left out. {run['split']}. Training outcome windows close before the test "
        "period begins; no random split.",
        f"Test period: {counts['rows']} child-dates, {counts['children']} children, "
        f"{counts['positives']} outcomes (base rate {_pct(counts['base_rate'])}).",
        "",
        "## Performance on the later test period",
        f"Review capacity: {settings['review_capacity_per_month']} children per reference date (month).",
        "",
        *_metrics_table(evaluation["metrics"]),
        "",
        f"**Verdict:** {evaluation['verdict']['sentence']}",
        "",
        f"## Fairness ({evaluation['deployed_model']} model, flags at capacity)",
        "",
        *_fairness_lines(evaluation["fairness"]),
        "",
        "## Stop rules (checked by `famlink risk report` on every run)",
        "",
        "| rule | status | measured | limit |",
        "|---|---|---|---|",
        *[f"| {s.rule} | {s.status} | {s.measured} | {s.limit} |" for s in stop_rules],
        "",
        "**The model must be switched off while any rule says STOP.**"
        if any_stop(stop_rules)
        else "No stop rule fires at the time of this card.",
        "",
        "## Known limitations",
        "- Trained and tested on one council's records: records it does not hold (e.g. families who "
        "never met services) are invisible, and more-surveilled families have more records.",
        "- The outcome is a service decision (a plan or care), not maltreatment itself; the model learns "
        "the council's past decisions, including any bias in them.",
        "- Calibration and error rates by group carry wide intervals for small groups.",
    ]
    return "\n".join(lines) + "\n"


def transparency_record(evaluation: dict[str, Any], stop_rules: list[StopRuleStatus]) -> dict[str, Any]:
    """A record in the shape of the UK Algorithmic Transparency Recording Standard (tiers 1 and 2)."""
    run, settings = evaluation["run"], evaluation["run"]["settings"]
    deployed = evaluation["deployed_model"]
    return {
        "standard": "Algorithmic Transparency Recording Standard (shape), generated by famlink",
        "tier_1": {
            "name": "Children's safeguarding risk model",
            "description": "Ranks children on the council's own multi-agency records so practitioners can "
            "consider offering early help; every flag is reviewed by a practitioner, who decides.",
            "organisation": f"council {run['council']}",
            "contact": "the council's information management team",
        },
        "tier_2": {
            "owner_and_responsibility": {
                "organisation": f"council {run['council']}",
                "team": "children's services early help",
                "senior_responsible_owner": "to be named by the council",
                "supplier": "none (famlink, open source, run by the council)",
            },
            "description_and_rationale": {
                "scope": "children aged 0-17 on the council's person index",
                "benefit": "earlier offers of voluntary help to families",
                "alternatives_considered": "the simple rule 'two or more headline problems'",
                "verdict_against_alternative": evaluation["verdict"]["sentence"],
            },
            "decision_making_process": {
                "process_integration": "flags go to a review queue; nothing is done automatically",
                "provided_information": "score, rank and the factors that raised the score, with the data",
                "human_decisions_and_review": "a practitioner records offer early help, no action or "
                "disagree, with a reason, for every flag",
                "frequency_and_scale": f"at most {settings['review_capacity_per_month']} children per month",
            },
            "data": {
                "sources": sorted({k.split("_")[0] for k in EVENT_KINDS} | {"school"}),
                "sensitive_attributes_used_as_inputs": [],
                "sensitive_attributes_audited": ["sex", "ethnicity", "disability", "area deprivation"],
                "data_span": run["data_span"],
                "research_data_used": False,
            },
            "technical_specification": {
                "model": f"{deployed} (calibrated); compared with gradient boosting and the simple rule",
                "validation": run["split"],
                "performance": evaluation["metrics"],
                "fairness_gaps": {a["attribute"]: a["gaps"] for a in evaluation["fairness"]},
            },
            "risks": [
                {
                    "risk": s.rule,
                    "status": s.status,
                    "measured": s.measured,
                    "mitigation": "switch off on STOP",
                }
                for s in stop_rules
            ],
        },
    }
