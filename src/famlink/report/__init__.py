"""famlink.report: the study report, one offline HTML file (and a PDF) from disclosure-checked figures.

The public surface is small on purpose: build or load a `StudyReportInputs` (the input contract, which
round-trips through JSON), then `write_report` (or `render_report` for the HTML string). The report
computes nothing new from microdata; `check_publishable` refuses inputs that look like microdata or
carry unprotected small counts. The parts of the contract are re-exported here (they live in
`famlink.report.sections` and `famlink.report.checks`). See docs/reference/report.md.
"""

from __future__ import annotations

from famlink.report.checks import (
    CheckedOutput,
    CheckOverride,
    GroupStatement,
    MethodNote,
    OutputCheckSummary,
    PaymentByResults,
    PlaceboResult,
    RuleCheck,
    SensitivityResult,
)
from famlink.report.counts import SUPPRESSION_MARKS, Count
from famlink.report.guard import check_publishable
from famlink.report.inputs import StudyReportInputs
from famlink.report.render import ReportFiles, render_report, render_report_file, write_report
from famlink.report.sections import (
    BalanceRow,
    BalanceTable,
    Cohort,
    CohortGroup,
    CountRow,
    CountTable,
    DepartmentLinkage,
    DisclosureSettings,
    Effect,
    LinkageGroupRate,
    LinkageQuality,
    OutcomeInfo,
    StudyMetadata,
    WindowInfo,
)

__all__ = [
    "SUPPRESSION_MARKS",
    "BalanceRow",
    "BalanceTable",
    "CheckOverride",
    "CheckedOutput",
    "Cohort",
    "CohortGroup",
    "Count",
    "CountRow",
    "CountTable",
    "DepartmentLinkage",
    "DisclosureSettings",
    "Effect",
    "GroupStatement",
    "LinkageGroupRate",
    "LinkageQuality",
    "MethodNote",
    "OutcomeInfo",
    "OutputCheckSummary",
    "PaymentByResults",
    "PlaceboResult",
    "ReportFiles",
    "RuleCheck",
    "SensitivityResult",
    "StudyMetadata",
    "StudyReportInputs",
    "WindowInfo",
    "check_publishable",
    "render_report",
    "render_report_file",
    "write_report",
]
