"""`famlink retention ...`: each store's retention ledger, and the sweep that destroys expired holdings."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import typer
from rich.table import Table

from famlink.agreement.loader import load_agreement
from famlink.console import err_console, out_console
from famlink.governance.retention import ledger, sweep
from famlink.governance.store import RoleStore

retention_app = typer.Typer(
    help="What each store holds until when; destroy what has expired.", no_args_is_help=True
)

STORES = typer.Argument(..., help="One or more store folders.")
AGREEMENT = typer.Option(..., "--agreement", help="The data sharing agreement (YAML).")


def _date(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter("use YYYY-MM-DD", param_hint="--as-of") from None


@retention_app.command("status")
def status(
    stores: list[Path] = STORES,
    agreement: Path = AGREEMENT,
    as_of: str | None = typer.Option(None, "--as-of", help="Mark what has expired by this date."),
) -> None:
    """Show each store's ledger: holding, clause, held since, expires on, status."""
    rules = load_agreement(agreement)
    today = _date(as_of)
    table = Table("store", "holding", "clause", "held since", "expires on", "status")
    for path in stores:
        with RoleStore.open(path) as opened:
            for entry in ledger(opened, rules):
                expired = entry.status == "held" and date.fromisoformat(entry.expires_on) < today
                shown = "EXPIRED: sweep will destroy" if expired else entry.status
                if entry.destroyed_on:
                    shown = f"destroyed {entry.destroyed_on}"
                table.add_row(
                    opened.party, entry.holding, entry.clause, entry.held_since, entry.expires_on, shown
                )
    out_console.print(table)


@retention_app.command("sweep")
def sweep_cmd(
    stores: list[Path] = STORES,
    agreement: Path = AGREEMENT,
    as_of: str | None = typer.Option(None, "--as-of", help="Destroy what expired before this date."),
    operator: str = typer.Option(..., "--operator", envvar="FAMLINK_OPERATOR", help="Who (audited)."),
    purpose: str = typer.Option("retention", "--purpose", envvar="FAMLINK_PURPOSE", help="Why (audited)."),
) -> None:
    """Destroy every expired holding (crypto-shredding where it has its own key); file certificates."""
    rules = load_agreement(agreement)
    when = _date(as_of)
    destroyed = 0
    for path in stores:
        with RoleStore.open(path) as opened:
            for certificate in sweep(opened, rules, as_of=when, operator=operator, purpose=purpose):
                destroyed += 1
                rows = sum(certificate.rows.values())
                err_console.print(
                    f"{opened.party}: destroyed {certificate.holding} (clause {certificate.clause}, "
                    f"{rows} rows) certificate {certificate.certificate_id}",
                    markup=False,
                )
    err_console.print(f"{destroyed} holding(s) destroyed" if destroyed else "nothing has expired")


def register(app: typer.Typer) -> None:
    """Add `famlink retention` to `app`."""
    app.add_typer(retention_app, name="retention")
