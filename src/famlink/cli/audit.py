"""`famlink audit ...`: verify a store's hash-chained audit log."""

from __future__ import annotations

from pathlib import Path

import typer

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


def register(app: typer.Typer) -> None:
    """Add `famlink audit` to `app`."""
    app.add_typer(audit_app, name="audit")
