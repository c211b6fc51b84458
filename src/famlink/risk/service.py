"""The four things a council does with the risk model: train, score, review, report.

Each function is one command: it reads only the council's own data and store, writes only under
`STORE/risk/`, and records what it did in the store's audit log (counts and queue item ids only).
Scoring refuses to run while a stop rule says STOP unless someone accountable acknowledges it with a
reason, which is itself audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from famlink.errors import ConfigError
from famlink.risk.card import model_card, transparency_record
from famlink.risk.evaluate import evaluate_on_test
from famlink.risk.explain import top_factors
from famlink.risk.features import build_examples
from famlink.risk.metrics import flags_at_capacity
from famlink.risk.models import fit_models, load_models, save_models
from famlink.risk.queue import DecisionRecord, QueueItem
from famlink.risk.report import render_report
from famlink.risk.settings import RiskSettings
from famlink.risk.sources import load_council_sources
from famlink.risk.split import (
    add_months,
    assert_no_overlap,
    data_span,
    temporal_split,
    usable_reference_dates,
)
from famlink.risk.stop_rules import STOP, StopRuleStatus, check_stop_rules
from famlink.risk.store import Actor, RiskStore
from famlink.tabular import atomic_path


def _write_json(path: Path, data: dict[str, Any]) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8")


def train(council: Path, store: RiskStore, settings: RiskSettings, actor: Actor) -> dict[str, Any]:
    """Build examples, split by time, fit and calibrate both models, evaluate on the later period."""
    src = load_council_sources(council)
    first, last = data_span(src)
    split = temporal_split(usable_reference_dates(first, last, settings), settings)
    examples = build_examples(
        src, [*split.train, *split.test], horizon_months=settings.horizon_months,
        min_age=settings.min_age, max_age=settings.max_age,
    )  # fmt: skip
    assert_no_overlap(examples, split, settings.horizon_months)
    train_rows = examples[examples["ref_date"].isin(set(split.train))]
    test_rows = examples[examples["ref_date"].isin(set(split.test))]
    models = fit_models(train_rows, settings.seed, settings.to_dict())
    evaluation = evaluate_on_test(models, test_rows, settings)
    evaluation["run"] = {
        "model_id": models.model_id,
        "council": src.local_dir.parent.name if src.local_dir.name == "local" else src.local_dir.name,
        "data_span": [first.isoformat(), last.isoformat()],
        "split": split.describe(),
        "train_reference_dates": [d.isoformat() for d in split.train],
        "test_reference_dates": [d.isoformat() for d in split.test],
        "fit_reference_dates": [d.isoformat() for d in models.fit_dates],
        "calibration_reference_dates": [d.isoformat() for d in models.calibration_dates],
        "train_rows": len(train_rows),
        "train_positives": int(train_rows["label"].sum()),
        "missing_tables": src.missing,
        "dropped_rows": src.dropped_rows,
        "settings": settings.to_dict(),
    }
    save_models(models, store.models)
    _write_json(store.evaluation, evaluation)
    store.audit(
        "risk.train", actor, rows=len(examples), model_id=models.model_id,
        train_rows=len(train_rows), test_rows=len(test_rows),
        beats_rule=evaluation["verdict"]["beats_rule"],
    )  # fmt: skip
    return evaluation


def load_evaluation(store: RiskStore) -> dict[str, Any]:
    if not store.evaluation.exists():
        raise ConfigError(
            "no evaluation in this store", where=str(store.root), fix="run `famlink risk train`"
        )
    data: dict[str, Any] = json.loads(store.evaluation.read_text(encoding="utf-8"))
    return data


def current_stop_rules(store: RiskStore) -> list[StopRuleStatus]:
    evaluation = load_evaluation(store)
    settings = RiskSettings.from_dict(evaluation["run"]["settings"])
    return check_stop_rules(evaluation, store.review_queue().decision_counts(), settings)


@dataclass(frozen=True)
class ScoreResult:
    reference_date: date
    children_scored: int
    flagged: int
    new_queue_items: list[str]


def score(
    council: Path, store: RiskStore, actor: Actor, *, reference_date: date | None = None,
    acknowledge_stop: str | None = None,
) -> ScoreResult:  # fmt: skip
    """Score the children at a reference date and queue the top `review_capacity_per_month` for review.

    Writes only to the review queue (and the audit log); it changes no case and contacts no one.
    """
    models = load_models(store.models)
    settings = RiskSettings.from_dict(models.settings)
    stops = [s for s in current_stop_rules(store) if s.status == STOP]
    if stops and not (acknowledge_stop and acknowledge_stop.strip()):
        store.audit("risk.score.refused", actor, stop_rules=[s.rule for s in stops])
        first = stops[0]
        raise ConfigError(
            f"a stop rule says the model must be switched off: {first.rule}; measured {first.measured}",
            fix="see `famlink risk report`; to score anyway for a documented reason, pass --acknowledge-stop",
        )
    src = load_council_sources(council)
    ref = reference_date or add_months(data_span(src)[1], 1)
    rows = build_examples(
        src, [ref], horizon_months=settings.horizon_months, min_age=settings.min_age, max_age=settings.max_age
    ).reset_index(drop=True)
    probability = models.predict(settings.deployed_model, rows)
    flags = flags_at_capacity(
        rows["ref_date"], probability, settings.review_capacity_per_month, settings.seed
    )
    flagged = rows[flags].assign(score=probability[flags]).sort_values("score", ascending=False)
    factors = top_factors(models, flagged)
    items = [
        {"person_ref": r.record_id, "reference_date": ref.isoformat(), "model_id": models.model_id,
         "score": r.score, "rank": rank, "factors": [f.to_dict() for f in factors[rank - 1]]}
        for rank, r in enumerate(flagged.itertuples(), start=1)
    ]  # fmt: skip
    added = store.review_queue().add_flags(items)
    store.audit(
        "risk.score", actor, rows=len(rows), reference_date=ref.isoformat(), model_id=models.model_id,
        flagged=len(items), queue_items=added,
        stop_rules_acknowledged=acknowledge_stop.strip() if stops and acknowledge_stop else None,
    )  # fmt: skip
    return ScoreResult(ref, len(rows), len(items), added)


def list_queue(store: RiskStore, actor: Actor, *, pending_only: bool = True) -> list[QueueItem]:
    items = store.review_queue().items(pending_only=pending_only)
    store.audit("risk.review.list", actor, rows=len(items), pending_only=pending_only)
    return items


def decide(store: RiskStore, actor: Actor, item_id: str, decision: str, reason: str) -> DecisionRecord:
    """Record a practitioner's decision (the operator is the practitioner)."""
    record = store.review_queue().record_decision(item_id, decision, reason, actor.operator)
    store.audit("risk.review.decide", actor, rows=1, queue_item=item_id, decision=decision)
    return record


@dataclass(frozen=True)
class ReportResult:
    report: Path
    model_card: Path
    transparency_record: Path
    stop_rules: list[StopRuleStatus]


def report(store: RiskStore, actor: Actor) -> ReportResult:
    """Check the stop rules now and write the HTML report, model card and ATRS-shaped record."""
    evaluation = load_evaluation(store)
    settings = RiskSettings.from_dict(evaluation["run"]["settings"])
    decisions = store.review_queue().decision_counts()
    statuses = check_stop_rules(evaluation, decisions, settings)
    with atomic_path(store.report) as tmp:
        tmp.write_text(render_report(evaluation, statuses, decisions), encoding="utf-8")
    with atomic_path(store.model_card) as tmp:
        tmp.write_text(model_card(evaluation, statuses), encoding="utf-8")
    _write_json(store.transparency_record, transparency_record(evaluation, statuses))
    store.audit(
        "risk.report", actor, model_id=evaluation["run"]["model_id"],
        stop_rules={s.rule: s.status for s in statuses}, decisions=sum(decisions.values()),
    )  # fmt: skip
    return ReportResult(store.report, store.model_card, store.transparency_record, statuses)
