"""Render the study report: one self-contained HTML file (and, on request, a PDF summary).

The report computes nothing new from microdata: it only formats and charts figures that arrive in
`StudyReportInputs`, all of which have passed disclosure control upstream. Before anything is drawn the
guard (`famlink.report.guard.check_publishable`) re-checks that claim and refuses inputs that look like
microdata or carry unprotected small counts. The page needs no network: CSS is inline, charts are SVG
data URIs, and the template (autoescaped) is shipped inside the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from famlink import __version__
from famlink.report import tables
from famlink.report.charts import DrawnChart, all_charts, drawn_charts
from famlink.report.counts import format_count
from famlink.report.guard import check_publishable, checked_parts
from famlink.report.inputs import StudyReportInputs
from famlink.report.wording import director_summary, percent
from famlink.tabular import atomic_path

SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("cohort", "The cohort"),
    ("linkage", "Linkage quality"),
    ("balance", "Balance before and after matching"),
    ("effects", "Effects by outcome and time window"),
    ("statements", "Group statements"),
    ("payment-by-results", "Payment by results"),
    ("robustness", "Placebo and sensitivity checks"),
    ("methods", "Methods"),
    ("limitations", "Limitations"),
    ("output-check", "Output checking"),
)
"""Section anchors and headings, in page order (tests check each is present)."""


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    pdf: Path | None = None


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("famlink.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _css() -> str:
    return resources.files("famlink.report").joinpath("templates/report.css").read_text(encoding="utf-8")


def render_report(inputs: StudyReportInputs, drawn: dict[str, DrawnChart] | None = None) -> str:
    """The report as one HTML string; raises DisclosureError if the inputs fail the guard."""
    check_publishable(inputs)
    template = _environment().get_template("report.html.j2")
    return template.render(**report_context(inputs, drawn))


def report_context(inputs: StudyReportInputs, drawn: dict[str, DrawnChart] | None = None) -> dict[str, Any]:
    """Everything the template shows, already formatted."""
    return {
        "meta": inputs.metadata,
        "css": _css(),
        "sections": SECTIONS,
        "summary": director_summary(inputs),
        "summary_notes": inputs.summary_notes,
        "charts": all_charts(inputs, drawn),
        "cohort_tables": tables.cohort_tables(inputs),
        "linkage_tables": tables.linkage_tables(inputs),
        "balance_tables": tables.balance_tables(inputs),
        "effect_tables": tables.effect_tables(inputs),
        "statements": tables.statement_rows(inputs),
        "pbr": _payment_by_results(inputs),
        "robustness_tables": tables.robustness_tables(inputs),
        "methods": inputs.methods,
        "limitations": inputs.limitations,
        "check": inputs.output_check,
        "check_tally": inputs.output_check.tally(),
        "check_table": tables.output_check_table(inputs),
        "disclosure": inputs.disclosure,
        "approved_small_counts": _approved_small_counts(inputs),
        "version": __version__,
    }


def _payment_by_results(inputs: StudyReportInputs) -> dict[str, str] | None:
    pbr = inputs.payment_by_results
    if pbr is None:
        return None
    shown = {
        "definition": pbr.definition,
        "rate": percent(pbr.successful_rate),
        "successful": format_count(pbr.successful_families),
        "assessed": format_count(pbr.assessed_families),
        "note": pbr.note,
        "comparison": "",
    }
    if pbr.comparison_group is not None and pbr.comparison_rate is not None:
        label = next(g.label for g in inputs.cohort.groups if g.key == pbr.comparison_group)
        families = (
            f" (of {format_count(pbr.comparison_families)} families)" if pbr.comparison_families else ""
        )
        shown["comparison"] = f"{percent(pbr.comparison_rate)} of {label.lower()}{families}"
    return shown


def _approved_small_counts(inputs: StudyReportInputs) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for _, part in checked_parts(inputs):
        if part.small_counts_reason:
            seen[part.output_id] = part.small_counts_reason
    return sorted(seen.items())


def write_report(inputs: StudyReportInputs, out: str | Path, *, pdf: str | Path | None = None) -> ReportFiles:
    """Render and write the HTML (atomically) and, if asked, the PDF; nothing is written if either fails."""
    drawn = drawn_charts(inputs) if pdf is not None else None  # drawn once, shared by HTML and PDF
    html = render_report(inputs, drawn)
    pdf_bytes = None
    if pdf is not None:
        from famlink.report.pdf import render_pdf

        pdf_bytes = render_pdf(inputs, drawn)
    target = Path(out)
    with atomic_path(target) as tmp:
        tmp.write_text(html, encoding="utf-8")
        if pdf is not None and pdf_bytes is not None:
            with atomic_path(pdf) as pdf_tmp:
                pdf_tmp.write_bytes(pdf_bytes)
    return ReportFiles(target, Path(pdf) if pdf is not None else None)


def render_report_file(
    inputs_path: str | Path, out: str | Path, *, pdf: str | Path | None = None
) -> ReportFiles:
    """Load inputs JSON, check it, and write the report: what `famlink report render` runs."""
    return write_report(StudyReportInputs.load(inputs_path), out, pdf=pdf)
