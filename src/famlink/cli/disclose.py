"""`famlink disclose ...`: disclosure control of outputs."""

from __future__ import annotations

from pathlib import Path

import typer

from famlink.console import err_console, out_console
from famlink.disclosure.crosstab import crosstab_file
from famlink.disclosure.rules import DEFAULT_ROUNDING_BASE, DEFAULT_THRESHOLD, DisclosureRules

disclose_app = typer.Typer(
    help="Disclosure control: protected tables and output-checking logs.", no_args_is_help=True
)


@disclose_app.command("crosstab")
def crosstab(
    data: Path = typer.Argument(..., help="Microdata file (CSV or Parquet), one row per person or unit."),
    rows: str = typer.Option(..., "--rows", help="Column whose categories form the table's rows."),
    cols: str | None = typer.Option(None, "--cols", help="Column whose categories form the columns."),
    out: Path = typer.Option(..., "--out", help="Where to write the protected table (CSV or Parquet)."),
    margins: bool = typer.Option(False, "--margins", help="Print row, column and grand totals."),
    threshold: int = typer.Option(DEFAULT_THRESHOLD, "--threshold", help="Smallest count that may be shown."),
    rounding: int = typer.Option(
        DEFAULT_ROUNDING_BASE, "--round", help="Round counts to this base (1: none)."
    ),
    zeros_safe: bool = typer.Option(
        False, "--zeros-safe", help="Publish zeros (default: treat as disclosive)."
    ),
    log: Path | None = typer.Option(None, "--log", help="Write the output-checking log here (JSON)."),
) -> None:
    """Cross-tabulate DATA with small counts suppressed as [c], secondary suppression and rounding."""
    rules = DisclosureRules(threshold=threshold, rounding_base=rounding, zeros_are_disclosive=not zeros_safe)
    run = crosstab_file(data, rows, cols, out, rules=rules, margins=margins, log_path=log)
    out_console.print(run.table.to_frame().to_string(), markup=False)
    hidden = int(run.table.suppressed.sum())
    err_console.print(f"wrote {run.out} ({hidden} cells suppressed)" + (f"; log {log}" if log else ""))


def register(app: typer.Typer) -> None:
    """Add `famlink disclose` and its commands to `app`."""
    app.add_typer(disclose_app, name="disclose")
