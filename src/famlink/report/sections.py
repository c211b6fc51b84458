"""The parts of the study report's input contract, one class per section of the report.

Every class holds group-level figures that have ALREADY passed disclosure control: counts are text
(rounded numbers or marks like ``[c]``, see `famlink.report.counts`), rates are proportions between 0
and 1, and each figure-bearing part names the ``output_id`` under which the output checker logged it.
The report formats and charts these figures; it never derives new statistics from microdata, which is
why nothing here can hold a person, a family or a record.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from famlink.report.counts import Count

Rate = float
"""A proportion between 0 and 1 (shown as a percentage)."""


class Part(BaseModel):
    """Shared settings: unknown fields are refused (so stray columns cannot slip in) and values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Checked(Part):
    """A part that carries published figures, tied to its entry in the output-checking log."""

    output_id: str = Field(description="The output's name in the output-checking log.")
    small_counts_reason: str | None = Field(
        default=None,
        description="Set only when the checker approved counts below the threshold (e.g. structural "
        "zeros); the reason is printed in the report.",
    )


class StudyMetadata(Part):
    title: str
    release: str = Field(description="The release name in the output-checking log.")
    world: str = Field(description="Where the data came from, e.g. 'synthetic world, 40 councils'.")
    seed: int | None = None
    run_date: dt.date
    agreement_id: str = Field(description="The data sharing agreement the study ran under.")
    organisation: str = "famlink research role"
    confidence_level: float = Field(default=0.95, gt=0.5, lt=1)
    synthetic: bool = Field(default=True, description="Show a banner saying the figures are synthetic.")
    primary_comparison: str = Field(
        default="later",
        description="The comparison group the summary leads with (the study's design choice).",
    )
    footer_links: list[str] = Field(default_factory=list, description="Plain-text references for the footer.")


class DisclosureSettings(Part):
    """The rules the figures were checked against; the guard re-applies the count rules."""

    threshold: int = Field(default=10, ge=1)
    rounding_base: int = Field(default=5, ge=1)
    zeros_disclosive: bool = True


class CohortGroup(Part):
    key: str = Field(description="'programme', or a comparison group such as 'later' or 'never'.")
    label: str = Field(description="Plain name, e.g. 'Families who joined later'.")
    description: str = ""
    families: Count
    people: Count


class CountRow(Part):
    label: str
    counts: list[Count]
    percents: list[Rate | None] | None = Field(
        default=None, description="Share of each column's families, computed upstream on checked figures."
    )


class CountTable(Checked):
    """A protected frequency table: one row per category, one column per group."""

    title: str
    row_header: str
    columns: list[str]
    rows: list[CountRow]
    note: str = ""

    @model_validator(mode="after")
    def _rows_fit_columns(self) -> CountTable:
        for index, row in enumerate(self.rows):
            if len(row.counts) != len(self.columns) or (
                row.percents is not None and len(row.percents) != len(self.columns)
            ):
                raise ValueError(f"row {index + 1} of '{self.title}' does not have one value per column")
        return self


class Cohort(Checked):
    groups: list[CohortGroup]
    programme_group: str = "programme"
    criteria_met: CountTable = Field(description="Families meeting each headline criterion, by group.")
    problems_met: CountTable | None = Field(default=None, description="Families by number of criteria met.")
    note: str = ""

    def group(self, key: str) -> CohortGroup:
        return next(g for g in self.groups if g.key == key)

    @property
    def comparison_groups(self) -> list[CohortGroup]:
        return [g for g in self.groups if g.key != self.programme_group]


class LinkageGroupRate(Part):
    dimension: str = Field(description="e.g. 'sex', 'age band', 'ethnicity'.")
    group: str
    submitted: Count
    match_rate: Rate | None = Field(default=None, ge=0, le=1)


class DepartmentLinkage(Checked):
    department: str
    submitted: Count
    matched: Count
    match_rate: Rate = Field(ge=0, le=1)
    precision: Rate | None = Field(default=None, ge=0, le=1, description="Known only from synthetic truth.")
    recall: Rate | None = Field(default=None, ge=0, le=1, description="Known only from synthetic truth.")
    clerical_review: Count | None = None
    by_group: list[LinkageGroupRate] = Field(default_factory=list)


class LinkageQuality(Part):
    departments: list[DepartmentLinkage]
    truth_note: str = ""


class BalanceRow(Part):
    covariate: str
    smd_before: float
    smd_after: float
    variance_ratio_before: float | None = None
    variance_ratio_after: float | None = None


class BalanceTable(Checked):
    comparison_group: str
    method: str
    rows: list[BalanceRow]
    smd_threshold: float = 0.1
    n_treated: Count | None = None
    n_comparison: Count | None = None


class OutcomeInfo(Part):
    key: str
    label: str
    better: Literal["lower", "higher"] = Field(description="Which direction is good for families.")
    scale: Literal["proportion", "mean"] = "proportion"
    population: str = Field(default="", description="Who the measure applies to, e.g. 'children aged 5-15'.")
    definition: str = ""


class WindowInfo(Part):
    key: str
    label: str = Field(description="e.g. '0-6 months after the start'.")


class Effect(Checked):
    outcome: str
    window: str
    method: str
    comparison_group: str
    att: float = Field(description="Average effect on the treated, as a difference in the outcome's scale.")
    ci_low: float
    ci_high: float
    treated_rate: float
    comparison_rate: float
    n_treated: Count
    n_comparison: Count
    p_value: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _interval_in_order(self) -> Effect:
        if self.ci_low > self.ci_high:
            raise ValueError("ci_low is above ci_high")
        return self

    @property
    def excludes_zero(self) -> bool:
        return self.ci_low > 0 or self.ci_high < 0
