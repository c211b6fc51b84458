"""famlink.report: the study report, one offline HTML file (and a PDF) from disclosure-checked figures.

The public surface is small on purpose: build or load a `StudyReportInputs` (the input contract, which
round-trips through JSON), then `write_report` (or `render_report` for the HTML string). The report
computes nothing new from microdata; `check_publishable` refuses inputs that look like microdata or
carry unprotected small counts. See docs/reference/report.md.
"""

from __future__ import annotations

from famlink.report.guard import check_publishable
from famlink.report.inputs import StudyReportInputs
from famlink.report.render import ReportFiles, render_report, render_report_file, write_report

__all__ = [
    "ReportFiles",
    "StudyReportInputs",
    "check_publishable",
    "render_report",
    "render_report_file",
    "write_report",
]
