"""`famlink research ...` and `famlink report ...`: the research role's steps and the study report."""

from __future__ import annotations

from pathlib import Path

import typer

from famlink.console import err_console

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


def register(app: typer.Typer) -> None:
    """Add `famlink research` and `famlink report` to `app`."""
    app.add_typer(research_app, name="research")
    app.add_typer(report_app, name="report")
