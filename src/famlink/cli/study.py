"""`famlink study ...`: run every role of the study in order."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from famlink.console import err_console, out_console

study_app = typer.Typer(
    help="Run the national impact study: every role, in order, exchanging sealed packages.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add `famlink study` to `app`."""
    app.add_typer(study_app, name="study")


def _as_date(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--as-of") from None


@study_app.command("run")
def run(
    world: Path = typer.Option(
        ..., "--world", help="Folder with councils/ and departments/ (e.g. from famlink synth)."
    ),
    out: Path = typer.Option(
        ..., "--out", "--workspace", help="Folder for the study's stores, agreement and outputs."
    ),
    engine: str = typer.Option("duckdb", "--engine", help="Department matching engine: duckdb or spark."),
    operator: str = typer.Option(
        "famlink-study",
        "--operator",
        envvar="FAMLINK_OPERATOR",
        help="Who is running the study (written to every audit log).",
    ),
    as_of: str = typer.Option(None, "--as-of", help="The date the run acts on (default today), YYYY-MM-DD."),
    cycle: str = typer.Option(
        "cycle-1", "--cycle", help="Name of this linkage cycle (exports are per cycle)."
    ),
) -> None:
    """Run council, agent, department and research steps; safe to re-run after an interruption."""
    from famlink.study.report import print_summary
    from famlink.study.run import StudySettings, run_study

    if engine not in ("duckdb", "spark"):
        raise typer.BadParameter("choose duckdb or spark", param_hint="--engine")
    settings = StudySettings(operator=operator, as_of=_as_date(as_of), cycle=cycle, engine=engine)  # type: ignore[arg-type]
    summary = run_study(world, out, settings, step=lambda text: err_console.print(f"[bold]›[/] {text}"))
    print_summary(summary, out_console)
