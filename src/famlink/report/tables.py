"""Table rows for the report, as display strings: the figures of the inputs, formatted and nothing more.

The template stays free of formatting logic, and the same rows serve the HTML tables (which sit beside
every chart for screen readers and for print) and the PDF.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from famlink.report.counts import format_count, is_suppressed
from famlink.report.inputs import StudyReportInputs
from famlink.report.sections import CountTable
from famlink.report.wording import level, percent, signed, span, statement_sentence, verdict


@dataclass(frozen=True)
class Table:
    """A caption, column headers and rows of display strings (the first column heads each row)."""

    caption: str
    headers: list[str]
    rows: list[list[str]]
    note: str = ""
    row_classes: Sequence[str] = field(default_factory=list)


def short_window(label: str) -> str:
    """'0-6 months after the start' -> '0-6 months' (tables repeat the window on every row)."""
    return label.split(" after")[0]


def _rate_or_dash(rate: float | None) -> str:
    return "–" if rate is None else percent(rate)


def _group_label(inputs: StudyReportInputs, key: str) -> str:
    return next((g.label for g in inputs.cohort.groups if g.key == key), key)


def cohort_tables(inputs: StudyReportInputs) -> list[Table]:
    cohort = inputs.cohort
    groups = Table(
        "Families and people in each group",
        ["Group", "Families", "People", "Who they are"],
        [[g.label, format_count(g.families), format_count(g.people), g.description] for g in cohort.groups],
        cohort.note,
    )
    tables = [groups, count_table(inputs, cohort.criteria_met)]
    if cohort.problems_met is not None:
        tables.append(count_table(inputs, cohort.problems_met))
    return tables


def count_table(inputs: StudyReportInputs, table: CountTable) -> Table:
    rows = []
    for row in table.rows:
        cells = [row.label]
        for c, count in enumerate(row.counts):
            share = row.percents[c] if row.percents is not None else None
            cells.append(format_count(count) + (f" ({percent(share)})" if share is not None else ""))
        rows.append(cells)
    headers = [table.row_header, *(_group_label(inputs, c) for c in table.columns)]
    return Table(table.title, headers, rows, table.note)


def linkage_tables(inputs: StudyReportInputs) -> list[Table]:
    departments = inputs.linkage.departments
    overall = Table(
        "Linkage quality by department",
        ["Department", "Submitted", "Matched", "Match rate", "Precision", "Recall", "Clerical review"],
        [
            [
                d.department,
                format_count(d.submitted),
                format_count(d.matched),
                percent(d.match_rate),
                _rate_or_dash(d.precision),
                _rate_or_dash(d.recall),
                format_count(d.clerical_review) if d.clerical_review is not None else "–",
            ]
            for d in departments
        ],
        inputs.linkage.truth_note,
    )
    by_group = Table(
        "Match rate by group",
        ["Group", *(d.department for d in departments)],
        _by_group_rows(inputs),
        "Submitted counts in brackets; [c]: too few people to publish.",
    )
    return [overall, by_group]


def _by_group_rows(inputs: StudyReportInputs) -> list[list[str]]:
    departments = inputs.linkage.departments
    labels = list(dict.fromkeys((r.dimension, r.group) for d in departments for r in d.by_group))
    rows = []
    for dimension, group in labels:
        cells = [f"{dimension}: {group}"]
        for dept in departments:
            rate = next((r for r in dept.by_group if (r.dimension, r.group) == (dimension, group)), None)
            if rate is None:
                cells.append("–")
            else:
                shown = (
                    _rate_or_dash(rate.match_rate)
                    if rate.match_rate is not None or not is_suppressed(rate.submitted)
                    else ""
                )
                cells.append(
                    f"{shown} ({format_count(rate.submitted)})".strip()
                    if shown
                    else format_count(rate.submitted)
                )
        rows.append(cells)
    return rows


def balance_tables(inputs: StudyReportInputs) -> list[Table]:
    tables = []
    for table in inputs.balance:
        sizes = ""
        if table.n_treated is not None and table.n_comparison is not None:
            treated, comparison = format_count(table.n_treated), format_count(table.n_comparison)
            sizes = f" Matched: {treated} programme, {comparison} comparison."
        rows = [
            [
                r.covariate,
                f"{r.smd_before:.3f}",
                f"{r.smd_after:.3f}",
                "–" if r.variance_ratio_before is None else f"{r.variance_ratio_before:.2f}",
                "–" if r.variance_ratio_after is None else f"{r.variance_ratio_after:.2f}",
                "yes" if abs(r.smd_after) < table.smd_threshold else "no",
            ]
            for r in table.rows
        ]
        tables.append(
            Table(
                f"Balance: programme families vs {_group_label(inputs, table.comparison_group).lower()}",
                [
                    "Characteristic",
                    "SMD before",
                    "SMD after",
                    "Variance ratio before",
                    "Variance ratio after",
                    f"Balanced (|SMD| < {table.smd_threshold:g})",
                ],
                rows,
                f"Method: {table.method}.{sizes}",
            )
        )
    return tables


def effect_tables(inputs: StudyReportInputs) -> list[Table]:
    outcomes = {o.key: o for o in inputs.outcomes}
    windows = {w.key: short_window(w.label) for w in inputs.windows}
    confidence = f"{inputs.metadata.confidence_level * 100:.0f}% CI"
    tables = []
    for group in inputs.cohort.comparison_groups:
        effects = [e for e in inputs.effects if e.comparison_group == group.key]
        if not effects:
            continue
        rows, classes = [], []
        for e in effects:
            o = outcomes[e.outcome]
            v = verdict(e, o)
            rows.append(
                [
                    o.label,
                    windows.get(e.window, e.window),
                    level(e.treated_rate, o),
                    level(e.comparison_rate, o),
                    signed(e.att, o),
                    span(e.ci_low, e.ci_high, o),
                    f"{format_count(e.n_treated)} / {format_count(e.n_comparison)}",
                    {"better": "better", "worse": "worse", "unclear": "no clear difference"}[v],
                ]
            )
            classes.append(v)
        methods = ", ".join(sorted({e.method for e in effects}))
        tables.append(
            Table(
                f"Effects compared with {group.label.lower()}",
                [
                    "Outcome",
                    "Window",
                    "Programme",
                    "Comparison",
                    "Difference",
                    confidence,
                    "n (programme / comparison)",
                    "Reading",
                ],
                rows,
                f"Method: {methods}. pp = percentage points.",
                classes,
            )
        )
    return tables


def statement_rows(inputs: StudyReportInputs) -> list[dict[str, str]]:
    rows = []
    for s in inputs.statements:
        label = _group_label(inputs, s.comparison_group)
        rows.append(
            {
                "sentence": statement_sentence(s, label),
                "programme": percent(s.programme_rate, 0),
                "comparison": percent(s.comparison_rate, 0),
                "comparison_label": label,
                "families": f"{format_count(s.programme_families)} programme and "
                f"{format_count(s.comparison_families)} comparison families",
            }
        )
    return rows


def robustness_tables(inputs: StudyReportInputs) -> list[Table]:
    outcomes = {o.key: o for o in inputs.outcomes}
    windows = {w.key: w.label for w in inputs.windows} | {"pre12": "12 months before the start"}
    tables = []
    if inputs.placebo:
        tables.append(
            Table(
                "Placebo check: 'effects' before the programme started (should be close to zero)",
                [
                    "Outcome",
                    "Window",
                    "Compared with",
                    "Difference",
                    "Interval",
                    "Consistent with no difference",
                ],
                [
                    [
                        outcomes[p.outcome].label,
                        windows.get(p.window, p.window),
                        _group_label(inputs, p.comparison_group),
                        signed(p.att, outcomes[p.outcome]),
                        span(p.ci_low, p.ci_high, outcomes[p.outcome]),
                        "no" if p.ci_low > 0 or p.ci_high < 0 else "yes",
                    ]
                    for p in inputs.placebo
                ],
            )
        )
    if inputs.sensitivity:
        rows = []
        for s in inputs.sensitivity:
            o = outcomes[s.outcome]
            estimate = "–" if s.att is None else signed(s.att, o)
            interval = (
                "–"
                if s.ci_low is None or s.ci_high is None
                else f"{signed(s.ci_low, o)} to {signed(s.ci_high, o)}"
            )
            e_value = (
                "–"
                if s.e_value is None
                else f"{s.e_value:.2f}"
                + (f" (interval: {s.e_value_ci:.2f})" if s.e_value_ci is not None else "")
            )
            rows.append(
                [s.analysis, o.label, windows.get(s.window, s.window), estimate, interval, e_value, s.note]
            )
        tables.append(
            Table(
                "Sensitivity analyses",
                ["Analysis", "Outcome", "Window", "Difference", "Interval", "E-value", "Note"],
                rows,
            )
        )
    return tables


def output_check_table(inputs: StudyReportInputs) -> Table:
    rows = []
    for entry in inputs.output_check.outputs:
        acted = "; ".join(
            f"{r.rule}: {r.status}" + (f" ({r.detail})" if r.detail else "") for r in entry.rules
        )
        overrides = "; ".join(f"{o.rule} — {o.reason} ({o.by}, {o.at})" for o in entry.overrides)
        rows.append([entry.output, entry.kind, entry.status, acted or "–", overrides or "–"])
    return Table("Outputs in this release", ["Output", "Kind", "Status", "Rules", "Overrides (reason)"], rows)
