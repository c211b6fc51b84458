"""`famlink research ...` and `famlink report ...`: the research role's steps and the study report."""

from __future__ import annotations

from pathlib import Path

import typer

from famlink.cli.role_options import AGREEMENT, AS_OF, OPERATOR, PURPOSE, STORE, agreement_at, as_date
from famlink.console import err_console, out_console

research_app = typer.Typer(help="The research role's steps.", no_args_is_help=True)
report_app = typer.Typer(
    help="The study report: one offline HTML file from disclosure-checked figures.", no_args_is_help=True
)

INPUTS_HELP = (
    "Report inputs JSON (StudyReportInputs), written by the research role; see docs/reference/report.md."
)


@report_app.command("render")
def render(
    inputs: Path = typer.Argument(..., help=INPUTS_HELP),
    out: Path = typer.Option(..., "--out", help="Where to write the HTML report."),
    pdf: Path | None = typer.Option(None, "--pdf", help="Also write a PDF version here."),
) -> None:
    """Check INPUTS for anything unsafe to publish, then write the report (refused inputs write nothing)."""
    from famlink.report import render_report_file

    files = render_report_file(inputs, out, pdf=pdf)
    err_console.print(f"wrote {files.html}" + (f" and {files.pdf}" if files.pdf else ""))


@report_app.command("example")
def example(out: Path = typer.Option(..., "--out", help="Where to write the example inputs JSON.")) -> None:
    """Write an example inputs file (illustrative figures) to try `famlink report render` on."""
    from famlink.report.examples import write_example_inputs

    err_console.print(f"wrote {write_example_inputs(out)}")


research_app.command("render-report", help="Same as `famlink report render`.")(render)


@research_app.command("ingest")
def ingest(
    store: Path = STORE,
    agreement: Path = AGREEMENT,
    operator: str = OPERATOR,
    purpose: str = PURPOSE,
    as_of: str | None = AS_OF,
) -> None:
    """Import every waiting package (council attributes, key maps, outcomes), each checked first."""
    from famlink.governance.store import RoleStore
    from famlink.roles.research import service

    on, terms = as_date(as_of), agreement_at(agreement)
    with RoleStore.open(store, role="research") as opened:
        count = service.ingest_packages(opened, terms, service.Actor(operator, purpose), as_of=on)
    err_console.print(f"imported {count} package(s)")


@research_app.command("build-linked")
def build_linked(store: Path = STORE, operator: str = OPERATOR, purpose: str = PURPOSE) -> None:
    """Assemble the linked dataset keyed by research id (cohort plus DWP, MoJ and DfE outcomes)."""
    from famlink.governance.store import RoleStore
    from famlink.roles.research import service

    with RoleStore.open(store, role="research") as opened:
        counts = service.build_linked_dataset(opened, service.Actor(operator, purpose))
    out_console.print(", ".join(f"{name} {rows}" for name, rows in counts.items()), markup=False)


def register(app: typer.Typer) -> None:
    """Add `famlink research` and `famlink report` to `app`."""
    app.add_typer(research_app, name="research")
    app.add_typer(report_app, name="report")
