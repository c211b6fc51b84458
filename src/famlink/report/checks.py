"""Input parts for statements, payment by results, robustness checks, methods and output checking.

The output-check part deliberately mirrors the JSON the disclosure package's output-checking log
writes (release, created_at, rules, outputs with rule results and overrides), so the research role can
pass that log through unchanged; the report never imports the disclosure package itself.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from famlink.report.counts import Count
from famlink.report.sections import Checked, Part, Rate


class GroupStatement(Checked):
    """A sentence in the documents' form, e.g. '72% of families on the programme reduced their offending
    in the six months after joining', printed next to the comparison group's figure."""

    outcome: str
    window: str
    comparison_group: str
    achievement: str = Field(description="What the families did, e.g. 'reduced their offending'.")
    period: str = Field(description="When, e.g. 'in the six months after joining'.")
    programme_rate: Rate = Field(ge=0, le=1)
    comparison_rate: Rate = Field(ge=0, le=1)
    programme_families: Count
    comparison_families: Count


class PaymentByResults(Checked):
    """The programme's own 'successful family outcome' measure (families 'turned around')."""

    definition: str
    successful_families: Count
    assessed_families: Count
    successful_rate: Rate = Field(ge=0, le=1)
    comparison_group: str | None = None
    comparison_rate: Rate | None = Field(default=None, ge=0, le=1)
    comparison_families: Count | None = None
    note: str = ""


class PlaceboResult(Checked):
    """An 'effect' on a period before the programme started: it should be close to zero."""

    outcome: str
    window: str = "pre12"
    method: str
    comparison_group: str
    att: float
    ci_low: float
    ci_high: float


class SensitivityResult(Checked):
    """A robustness check: an alternative specification, or an E-value for unobserved confounding."""

    analysis: str
    outcome: str
    window: str
    comparison_group: str
    att: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    e_value: float | None = Field(default=None, ge=1)
    e_value_ci: float | None = Field(default=None, ge=1)
    note: str = ""


class MethodNote(Part):
    title: str
    text: str


class RuleCheck(Part):
    rule: str
    status: Literal["pass", "protected", "fail"]
    detail: str = ""
    cells: list[str] = Field(default_factory=list, description="Category labels of the cells acted on.")


class CheckOverride(Part):
    output: str = ""
    rule: str
    reason: str
    by: str
    at: str


class CheckedOutput(Part):
    output: str
    kind: str
    status: Literal["pass", "protected", "overridden", "fail"]
    rules: list[RuleCheck] = Field(default_factory=list)
    overrides: list[CheckOverride] = Field(default_factory=list)


class OutputCheckSummary(Part):
    """The release's output-checking log (same shape as the disclosure package's log JSON)."""

    release: str
    created_at: str
    rules: dict[str, str | int | float | bool | None] = Field(default_factory=dict)
    outputs: list[CheckedOutput]
    summary: dict[str, int] | None = None
    checked_by: str | None = Field(default=None, description="Who signed the release off, if anyone yet.")

    def status_of(self, output_id: str) -> str | None:
        """The logged status of an output, or None when it was never checked."""
        return next((o.status for o in self.outputs if o.output == output_id), None)

    def tally(self) -> dict[str, int]:
        counts = {"pass": 0, "protected": 0, "overridden": 0, "fail": 0}
        for entry in self.outputs:
            counts[entry.status] += 1
        return counts
