"""Options shared by the per-role step commands (`famlink agent|department|research ...`).

Every step reads or writes personal data, so each names who is acting and why (written to the
store's audit log), the store it acts on and the agreement it acts under. Keeping the options in one
place means the four roles' commands read the same way in `--help` and in the how-to.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer

from famlink.agreement.loader import load_agreement
from famlink.agreement.model import Agreement
from famlink.errors import ConfigError

STORE = typer.Option(..., "--store", help="This party's store folder (see `famlink store create`).")
AGREEMENT = typer.Option(..., "--agreement", help="The data sharing agreement (YAML), with its keys/ folder.")
OPERATOR = typer.Option(..., "--operator", envvar="FAMLINK_OPERATOR", help="Who is doing this (audited).")
PURPOSE = typer.Option(
    "national-impact-study", "--purpose", envvar="FAMLINK_PURPOSE", help="Why (audited; a purpose id)."
)
AS_OF = typer.Option(
    None,
    "--as-of",
    help="The date the step acts on and the agreement is judged on (YYYY-MM-DD); default today.",
)
CYCLE = typer.Option("cycle-1", "--cycle", help="The linkage cycle (requests and key maps are per cycle).")
RESEARCH = typer.Option("research", "--research", help="The research party's id in the agreement.")
ENGINE = typer.Option("duckdb", "--engine", help="Linkage engine: duckdb or spark.")


def as_date(value: str | None) -> date:
    """Parse --as-of; today when absent."""
    if value is None:
        return date.today()
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--as-of") from None


def engine_name(value: str) -> str:
    """Check --engine before any work starts."""
    if value not in ("duckdb", "spark"):
        raise typer.BadParameter("choose duckdb or spark", param_hint="--engine")
    return value


def agreement_at(path: Path) -> Agreement:
    """Load the agreement, saying clearly when the file is not there."""
    if not path.is_file():
        raise ConfigError(
            "the agreement file does not exist",
            where=str(path),
            fix="pass the agreement YAML every party signed (its public keys in keys/ beside it)",
        )
    return load_agreement(path)


def folder(path: Path, what: str) -> Path:
    """Refuse a missing input folder before opening any store."""
    if not path.is_dir():
        raise ConfigError(f"the {what} folder does not exist", where=str(path), fix="check the path")
    return path
