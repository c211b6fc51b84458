"""`famlink risk ...`: the council's safeguarding risk model (train, score, review, report)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from famlink.console import out_console
from famlink.risk.settings import RiskSettings
from famlink.risk.store import Actor, RiskStore

COUNCIL = typer.Option(
    ..., "--council", help="The council folder (WORLD/councils/LA01) or its local/ folder."
)
STORE = typer.Option(..., "--store", help="The council's store folder (model, queue, report, audit log).")
OPERATOR = typer.Option(None, "--operator", help="Who is acting (or FAMLINK_OPERATOR); audited.")
PURPOSE = typer.Option(None, "--purpose", help="Why (or FAMLINK_PURPOSE); audited.")
METRIC_KEYS = ("roc_auc", "average_precision", "brier", "precision_at_capacity", "recall_at_capacity")


def _settings(path: Path | None, capacity: int | None, bootstrap: int | None) -> RiskSettings:
    settings = RiskSettings.load(path) if path else RiskSettings()
    if capacity is not None:
        settings = dataclasses.replace(settings, review_capacity_per_month=capacity)
    if bootstrap is not None:
        settings = dataclasses.replace(settings, bootstrap_samples=bootstrap)
    return settings


def train_command(
    council: Path = COUNCIL,
    store: Path = STORE,
    settings_file: Path | None = typer.Option(None, "--settings", help="JSON file of RiskSettings."),
    capacity: int | None = typer.Option(None, "--capacity", help="Children reviewable per month."),
    bootstrap: int | None = typer.Option(None, "--bootstrap", help="Bootstrap resamples for intervals."),
    operator: str | None = OPERATOR,
    purpose: str | None = PURPOSE,
) -> None:
    """Train and calibrate both models on earlier dates and evaluate them on later ones."""
    from famlink.risk.service import train

    actor = Actor.resolve(operator, purpose)
    evaluation = train(council, RiskStore.open(store), _settings(settings_file, capacity, bootstrap), actor)
    table = Table("scorer", "ROC AUC", "avg precision", "Brier", "precision@cap", "recall@cap")
    for name, m in evaluation["metrics"].items():
        table.add_row(name, *(f"{m[k]:.3f}" if m[k] is not None else "n/a" for k in METRIC_KEYS))
    out_console.print(evaluation["run"]["split"])
    out_console.print(table)
    out_console.print(evaluation["verdict"]["sentence"])


def score_command(
    council: Path = COUNCIL,
    store: Path = STORE,
    on: str | None = typer.Option(
        None, "--date", help="Reference date YYYY-MM-DD (default: after the data)."
    ),
    acknowledge_stop: str | None = typer.Option(
        None, "--acknowledge-stop", help="Score although a stop rule fires; give the reason (audited)."
    ),
    operator: str | None = OPERATOR,
    purpose: str | None = PURPOSE,
) -> None:
    """Score children at a reference date; the top flags go to the review queue (nothing else happens)."""
    from famlink.risk.service import score

    actor = Actor.resolve(operator, purpose)
    try:
        ref = date.fromisoformat(on) if on else None
    except ValueError as exc:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--date") from exc
    result = score(
        council, RiskStore.open(store), actor, reference_date=ref, acknowledge_stop=acknowledge_stop
    )
    out_console.print(
        f"scored {result.children_scored} children at {result.reference_date}; {result.flagged} flagged, "
        f"{len(result.new_queue_items)} new item(s) in the review queue"
    )


def review_command(
    store: Path = STORE,
    item: str | None = typer.Option(None, "--item", help="Queue item to decide (e.g. Q000001)."),
    decision: str | None = typer.Option(
        None, "--decision", help="offer_early_help, no_action or disagree (needs --item and --reason)."
    ),
    reason: str | None = typer.Option(None, "--reason", help="Why (required with --decision)."),
    show_all: bool = typer.Option(False, "--all", help="List decided items too."),
    operator: str | None = OPERATOR,
    purpose: str | None = PURPOSE,
) -> None:
    """List the review queue, or record a practitioner's decision on one flag."""
    from famlink.risk.service import decide, list_queue

    actor = Actor.resolve(operator, purpose)
    risk_store = RiskStore.open(store)
    if item or decision:
        if not (item and decision and reason):
            raise typer.BadParameter("recording a decision needs --item, --decision and --reason")
        record = decide(risk_store, actor, item, decision, reason)
        out_console.print(f"recorded '{record.decision}' for {record.item_id} by {record.practitioner}")
        return
    table = Table("item", "reference date", "rank", "score", "child (council ref)", "decision", "why flagged")
    for q in list_queue(risk_store, actor, pending_only=not show_all):
        why = "; ".join(f["words"] for f in q.factors[:3]) or "no single factor stands out"
        table.add_row(q.item_id, q.reference_date, str(q.rank), f"{q.score:.3f}", q.person_ref,
                      q.decision or "pending", why)  # fmt: skip
    out_console.print(table)


def report_command(
    store: Path = STORE, operator: str | None = OPERATOR, purpose: str | None = PURPOSE
) -> None:
    """Check the stop rules and write the HTML report, model card and transparency record."""
    from famlink.risk.service import report

    result = report(RiskStore.open(store), Actor.resolve(operator, purpose))
    for status in result.stop_rules:
        out_console.print(f"[{status.status}] {status.rule}: {status.measured}", markup=False)
    out_console.print(f"report: {result.report}\nmodel card: {result.model_card}")
    out_console.print(f"transparency record: {result.transparency_record}")


def register(app: typer.Typer) -> None:
    """Add `famlink risk train|score|review|report`."""
    risk_app = typer.Typer(
        help="The council's safeguarding risk model, with its safeguards.", no_args_is_help=True
    )
    risk_app.command("train")(train_command)
    risk_app.command("score")(score_command)
    risk_app.command("review")(review_command)
    risk_app.command("report")(report_command)
    app.add_typer(risk_app, name="risk")
