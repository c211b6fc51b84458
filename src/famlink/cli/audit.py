"""`famlink audit ...`: verify a store's hash-chained audit log."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from famlink.console import err_console, out_console
from famlink.governance.audit import AuditLog

audit_app = typer.Typer(help="The stores' append-only, hash-chained audit logs.", no_args_is_help=True)


@audit_app.command("verify")
def verify(store: Path = typer.Argument(..., help="A store folder, or an audit log file.")) -> None:
    """Check every entry; name each edited, deleted, inserted or moved entry (exit code 6 if any)."""
    log = AuditLog.of(store)
    result = log.verify()
    for problem in result.problems:
        err_console.print(f"  - {problem}", markup=False)
    result.raise_if_broken(log.path)
    out_console.print(
        f"audit log verified: {result.entries} entries, chain intact ({log.path})", markup=False
    )


@audit_app.command("show")
def show(
    store: Path = typer.Argument(..., help="A store folder, or an audit log file."),
    last: int = typer.Option(50, "--last", help="How many of the latest entries to show (0: all)."),
    as_json: bool = typer.Option(False, "--json", help="Print the entries as JSON lines."),
) -> None:
    """List a log's entries (who did what, why, to how many rows); does not verify the chain."""
    entries = AuditLog.of(store).entries()
    shown = entries[-last:] if last else entries
    if as_json:
        for entry in shown:
            out_console.print(json.dumps(asdict(entry), sort_keys=True), markup=False, soft_wrap=True)
        return
    table = Table("seq", "at", "action", "operator", "purpose", "package", "rows")
    for e in shown:
        table.add_row(
            str(e.seq),
            e.at[:19],
            e.action,
            e.operator,
            e.purpose,
            (e.package_id or "")[:12],
            str(e.rows or ""),
        )
    out_console.print(table)


def register(app: typer.Typer) -> None:
    """Add `famlink audit` to `app`."""
    app.add_typer(audit_app, name="audit")
