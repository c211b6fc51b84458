"""The report's last line of defence: refuse inputs that have not visibly passed disclosure control.

The report trusts nobody upstream with publication. Before rendering it re-applies the checks that can
be made on published figures alone:

- nothing shaped like microdata or an identifier (see `famlink.report.privacy`);
- every count is suppressed, or at least the threshold (zeros count as small unless the rules say
  otherwise), and a multiple of the rounding base — unless the part carries the checker's
  ``small_counts_reason``, which the report then prints;
- no percentage sits beside a suppressed count (percentage x group size would give the count back);
- every figure-bearing part names an output the output-checking log lists for this release, and no
  logged output failed its check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from famlink.errors import DisclosureError
from famlink.report.counts import count_value, is_suppressed
from famlink.report.inputs import StudyReportInputs
from famlink.report.privacy import refuse_identifiers
from famlink.report.sections import Checked, CountTable


@dataclass(frozen=True)
class CountSite:
    """One published count, where it sits, and the part that answers for it."""

    where: str
    count: str
    owner: Checked


def check_publishable(inputs: StudyReportInputs) -> None:
    """Raise DisclosureError if anything in `inputs` could not have passed output checking."""
    refuse_identifiers(inputs.to_dict())
    _refuse_unsafe_counts(inputs)
    _refuse_rates_beside_suppressed_counts(inputs)
    _refuse_unchecked_outputs(inputs)


def _refuse_unsafe_counts(inputs: StudyReportInputs) -> None:
    rules = inputs.disclosure
    for site in published_counts(inputs):
        value = count_value(site.count)
        if value is None or site.owner.small_counts_reason:
            continue
        small = value < rules.threshold and (value > 0 or rules.zeros_disclosive)
        if small:
            _refuse(
                f"a count below the disclosure threshold of {rules.threshold} is not suppressed",
                site.where,
                "suppress it (the mark c in square brackets, with secondary suppression), or record "
                "the output checker's reason "
                f"in small_counts_reason of output '{site.owner.output_id}'",
            )
        if rules.rounding_base > 1 and value % rules.rounding_base:
            _refuse(
                f"a count is not rounded to base {rules.rounding_base}",
                site.where,
                "publish the protected (rounded) table from disclosure control, not the raw count",
            )


def published_counts(inputs: StudyReportInputs) -> Iterator[CountSite]:
    """Every count the report would print, with its place in the inputs."""
    cohort = inputs.cohort
    for index, group in enumerate(cohort.groups):
        yield CountSite(f"cohort.groups[{index}].families", group.families, cohort)
        yield CountSite(f"cohort.groups[{index}].people", group.people, cohort)
    yield from _table_counts(cohort.criteria_met, "cohort.criteria_met")
    if cohort.problems_met is not None:
        yield from _table_counts(cohort.problems_met, "cohort.problems_met")
    for index, dept in enumerate(inputs.linkage.departments):
        here = f"linkage.departments[{index}]"
        yield CountSite(f"{here}.submitted", dept.submitted, dept)
        yield CountSite(f"{here}.matched", dept.matched, dept)
        if dept.clerical_review is not None:
            yield CountSite(f"{here}.clerical_review", dept.clerical_review, dept)
        for row, rate in enumerate(dept.by_group):
            yield CountSite(f"{here}.by_group[{row}].submitted", rate.submitted, dept)
    for name, parts in (("balance", inputs.balance), ("effects", inputs.effects)):
        for index, part in enumerate(parts):
            for field in ("n_treated", "n_comparison"):
                count = getattr(part, field)
                if count is not None:
                    yield CountSite(f"{name}[{index}].{field}", count, part)
    for index, statement in enumerate(inputs.statements):
        yield CountSite(f"statements[{index}].programme_families", statement.programme_families, statement)
        yield CountSite(f"statements[{index}].comparison_families", statement.comparison_families, statement)
    pbr = inputs.payment_by_results
    if pbr is not None:
        yield CountSite("payment_by_results.successful_families", pbr.successful_families, pbr)
        yield CountSite("payment_by_results.assessed_families", pbr.assessed_families, pbr)
        if pbr.comparison_families is not None:
            yield CountSite("payment_by_results.comparison_families", pbr.comparison_families, pbr)


def _table_counts(table: CountTable, path: str) -> Iterator[CountSite]:
    for row_index, row in enumerate(table.rows):
        for col_index, count in enumerate(row.counts):
            yield CountSite(f"{path}.rows[{row_index}].counts[{col_index}]", count, table)


def _refuse_rates_beside_suppressed_counts(inputs: StudyReportInputs) -> None:
    tables = [("cohort.criteria_met", inputs.cohort.criteria_met)]
    if inputs.cohort.problems_met is not None:
        tables.append(("cohort.problems_met", inputs.cohort.problems_met))
    for path, table in tables:
        for r, row in enumerate(table.rows):
            for c, count in enumerate(row.counts):
                if row.percents is not None and row.percents[c] is not None and is_suppressed(count):
                    _refuse_rate(f"{path}.rows[{r}].percents[{c}]")
    for d, dept in enumerate(inputs.linkage.departments):
        for g, rate in enumerate(dept.by_group):
            if rate.match_rate is not None and is_suppressed(rate.submitted):
                _refuse_rate(f"linkage.departments[{d}].by_group[{g}].match_rate")
    for s, statement in enumerate(inputs.statements):
        if is_suppressed(statement.programme_families) or is_suppressed(statement.comparison_families):
            _refuse_rate(f"statements[{s}]")


def _refuse_rate(where: str) -> None:
    _refuse(
        "a percentage is shown beside a suppressed count (with the group size it gives the count back)",
        where,
        "suppress the percentage too (null), as the protected table does",
    )


def _refuse_unchecked_outputs(inputs: StudyReportInputs) -> None:
    log = inputs.output_check
    if log.release != inputs.metadata.release:
        _refuse(
            "the output-checking log belongs to a different release",
            "output_check.release",
            "include the log of the release being reported",
        )
    for entry in log.outputs:
        if entry.status == "fail":
            _refuse(
                f"the output-checking log marks output '{entry.output}' as failed",
                "output_check.outputs",
                "protect the output or remove it from the release; failed outputs cannot be published",
            )
    for where, part in checked_parts(inputs):
        if log.status_of(part.output_id) is None:
            _refuse(
                f"output '{part.output_id}' does not appear in the output-checking log",
                where,
                "run every output through disclosure control and include the release's log",
            )


def checked_parts(inputs: StudyReportInputs) -> Iterator[tuple[str, Checked]]:
    """Every part that carries published figures, with its path."""
    yield "cohort", inputs.cohort
    yield "cohort.criteria_met", inputs.cohort.criteria_met
    if inputs.cohort.problems_met is not None:
        yield "cohort.problems_met", inputs.cohort.problems_met
    for index, dept in enumerate(inputs.linkage.departments):
        yield f"linkage.departments[{index}]", dept
    lists: list[tuple[str, list[Checked]]] = [
        ("balance", list(inputs.balance)),
        ("effects", list(inputs.effects)),
        ("statements", list(inputs.statements)),
        ("placebo", list(inputs.placebo)),
        ("sensitivity", list(inputs.sensitivity)),
    ]
    for name, parts in lists:
        for index, part in enumerate(parts):
            yield f"{name}[{index}]", part
    if inputs.payment_by_results is not None:
        yield "payment_by_results", inputs.payment_by_results


def _refuse(what: str, where: str, fix: str) -> None:
    raise DisclosureError(what, where=f"report inputs, at {where}", fix=fix)
