"""A printable PDF version of the report, drawn with matplotlib's PDF backend.

Why matplotlib and not an HTML-to-PDF engine: WeasyPrint needs Pango and other system libraries, and a
headless browser is a system download too, while famlink must build from its lock file alone. The PDF
therefore carries the report's words, charts and key tables as pages of text and figures rather than a
pixel copy of the HTML. Like the HTML, it shows only figures from the (already guarded) inputs.
"""

from __future__ import annotations

import io
import logging
import textwrap
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from famlink.report import tables
from famlink.report.charts import DrawnChart, drawn_charts
from famlink.report.guard import check_publishable
from famlink.report.inputs import StudyReportInputs
from famlink.report.wording import director_summary

A4 = (8.27, 11.69)
_LINES_PER_PAGE = 62
_WRAP = 100
# The 14 standard PDF fonts need no embedding: smaller files and much faster text pages.
_PDF_STYLE: dict[Any, Any] = {
    "pdf.use14corefonts": True,
    "font.family": "sans-serif",
    "font.sans-serif": ["Helvetica"],
    "font.monospace": ["Courier"],
    "font.weight": "medium",
}


def render_pdf(inputs: StudyReportInputs, drawn: dict[str, DrawnChart] | None = None) -> bytes:
    """The PDF as bytes (deterministic: no creation date is written)."""
    check_publishable(inputs)
    buffer = io.BytesIO()
    with (
        _quiet_font_fallbacks(),
        mpl.rc_context(_PDF_STYLE),
        PdfPages(buffer, metadata={"CreationDate": None}) as pdf,
    ):
        for lines in _paginate(_text_lines(inputs)):
            pdf.savefig(_text_page(lines))
        for chart in _chart_figures(drawn or drawn_charts(inputs)):
            pdf.savefig(chart)
    return buffer.getvalue()


@contextmanager
def _quiet_font_fallbacks() -> Iterator[None]:
    """The core PDF fonts come in one weight; matplotlib logs every fallback to it, which is only noise."""
    logger = logging.getLogger("matplotlib.font_manager")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _text_lines(inputs: StudyReportInputs) -> list[str]:
    meta = inputs.metadata
    summary = director_summary(inputs)
    lines = [
        f"# {meta.title}",
        f"Release {meta.release} · run {meta.run_date.isoformat()} · {meta.world}",
        "",
    ]
    if meta.synthetic:
        lines += [
            *_wrapped("Synthetic data: these figures describe a synthetic world, not real families."),
            "",
        ]
    lines += ["## Summary", *_wrapped(summary.what_we_did), *_wrapped(summary.tally)]
    lines += ["Clearly better:", *[line for f in summary.better for line in _wrapped(f, "- ")]]
    lines += ["Clearly worse:", *[line for f in summary.worse for line in _wrapped(f, "- ")]]
    lines += ["", "## How sure we are", *[line for s in summary.how_sure for line in _wrapped(s, "- ")]]
    lines += [
        "",
        "## What this does not show",
        *[line for s in summary.does_not_show for line in _wrapped(s, "- ")],
    ]
    lines += [
        "",
        "## Group statements",
        *[line for s in tables.statement_rows(inputs) for line in _wrapped(s["sentence"], "- ")],
    ]
    if inputs.payment_by_results is not None:
        pbr = inputs.payment_by_results
        lines += [
            "",
            "## Payment by results",
            *_wrapped(f"{pbr.successful_rate * 100:.1f}% — {pbr.definition}"),
        ]
    for table in tables.effect_tables(inputs):
        lines += ["", f"## {table.caption}", *_table_lines(table.headers[:6], (r[:6] for r in table.rows))]
    lines += ["", "## Limitations", *[line for s in inputs.limitations for line in _wrapped(s, "- ")]]
    check = tables.output_check_table(inputs)
    lines += ["", "## Output checking", *_table_lines(check.headers[:3], (r[:3] for r in check.rows))]
    return lines


def _wrapped(text: str, bullet: str = "") -> list[str]:
    return textwrap.wrap(text, _WRAP, initial_indent=bullet, subsequent_indent=" " * len(bullet)) or [""]


def _table_lines(headers: list[str], rows: Iterable[list[str]]) -> list[str]:
    body = [headers, *rows]
    widths = [min(max(len(r[i]) for r in body), 34) for i in range(len(headers))]
    return ["  ".join(cell[:34].ljust(w) for cell, w in zip(r, widths, strict=True)) for r in body]


def _paginate(lines: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(lines), _LINES_PER_PAGE):
        yield lines[start : start + _LINES_PER_PAGE]


def _text_page(lines: list[str]) -> Figure:
    fig = Figure(figsize=A4)
    for index, line in enumerate(lines):
        heading = line.startswith("#")
        fig.text(
            0.06,
            0.96 - index * 0.0148,
            line.lstrip("# "),
            fontsize=10 if heading else 7,
            weight="bold" if heading else "medium",
            family="sans-serif" if heading else "monospace",
            va="top",
        )
    return fig


def _chart_figures(drawn: dict[str, DrawnChart]) -> Iterable[Figure]:
    """The same figures the HTML embeds (drawn once), one per page, titled."""
    for chart in drawn.values():
        fig = chart.figure
        fig.suptitle(chart.title, x=0.01, ha="left", fontsize=11, weight="bold")
        yield fig
