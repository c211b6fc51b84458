"""The report's charts, drawn with matplotlib (no pyplot, no display) and embedded as SVG data URIs.

Data URIs keep the HTML a single file that opens offline, and putting each chart in an ``<img>`` gives
it a real ``alt`` text. Each chart plots only figures from the inputs; suppressed values are left out
of the drawing and marked ``[c]`` in the table printed beside it. Colours follow the Okabe-Ito palette
(distinguishable with common colour-vision deficiencies) and every colour is doubled by a marker shape
or fill, so no meaning rests on colour alone.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from famlink.report.counts import count_value
from famlink.report.inputs import StudyReportInputs
from famlink.report.wording import verdict

BLUE, VERMILLION, GREY, ORANGE = "#0072B2", "#D55E00", "#4D4D4D", "#E69F00"
VERDICT_COLOURS = {"better": BLUE, "worse": VERMILLION, "unclear": GREY}
_STYLE: dict[Any, Any] = {
    "svg.hashsalt": "famlink-report",
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
}


@dataclass(frozen=True)
class Chart:
    """A drawn chart: its id (anchor), title, alt text and the SVG as a data URI."""

    id: str
    title: str
    alt: str
    data_uri: str


@dataclass(frozen=True)
class DrawnChart:
    """A chart as a matplotlib figure, before it is embedded (the PDF uses the figure directly)."""

    id: str
    title: str
    alt: str
    figure: Figure


def _to_data_uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _panel_title(group_label: str) -> str:
    """'Compared with families who ...', wrapped so it never runs into the next panel."""
    return textwrap.fill(f"Compared with {group_label[:1].lower()}{group_label[1:]}", 34)


def _short(window_label: str) -> str:
    return window_label.split(" after")[0]


def forest_plot(inputs: StudyReportInputs) -> DrawnChart:
    """Effects by outcome and window with intervals, one panel per comparison group."""
    outcomes = [o for o in inputs.outcomes if o.scale == "proportion"]
    windows = inputs.windows
    groups = [
        g for g in inputs.cohort.comparison_groups if any(e.comparison_group == g.key for e in inputs.effects)
    ]
    rows = [(o, w) for o in outcomes for w in windows]
    with mpl.rc_context(_STYLE):
        fig = Figure(figsize=(4.2 + 3.0 * len(groups), 0.9 + 0.21 * len(rows)), layout="constrained")
        axes = fig.subplots(1, len(groups), sharey=True, sharex=True, squeeze=False)[0]
        for ax, group in zip(axes, groups, strict=True):
            _forest_panel(ax, inputs, group.key, rows)
            ax.set_title(_panel_title(group.label), loc="left")
        axes[0].set_yticks(range(len(rows)), [f"{o.label} · {_short(w.label)}" for o, w in rows])
        axes[0].invert_yaxis()
        _forest_legend(fig)
    keys = {o.key for o in outcomes}
    plotted = [e for e in inputs.effects if e.outcome in keys]
    clear = [e for e in plotted if e.excludes_zero]
    alt = (
        f"Forest plot of {len(plotted)} estimated differences between programme families and "
        f"comparison families, in percentage points, for {len(outcomes)} outcomes in {len(windows)} time "
        f"windows, one panel per comparison group. Each dot is the estimate and its line the confidence "
        f"interval; {len(clear)} intervals do not cross zero. The table after this chart lists every value."
    )
    return DrawnChart("forest-plot", "Effects by outcome and time window", alt, fig)


def _forest_panel(ax: Axes, inputs: StudyReportInputs, group: str, rows: Sequence[tuple[Any, Any]]) -> None:
    effects = {(e.outcome, e.window): e for e in inputs.effects if e.comparison_group == group}
    for y, (outcome, window) in enumerate(rows):
        if y // len(inputs.windows) % 2 == 0:
            ax.axhspan(y - 0.5, y + 0.5, color="#F2F2F2", zorder=0)
        effect = effects.get((outcome.key, window.key))
        if effect is None:
            continue
        colour = VERDICT_COLOURS[verdict(effect, outcome)]
        ax.plot([effect.ci_low * 100, effect.ci_high * 100], [y, y], color=colour, linewidth=1.4, zorder=2)
        ax.plot(
            effect.att * 100,
            y,
            marker="o",
            markersize=4.5,
            zorder=3,
            color=colour,
            markerfacecolor=colour if effect.excludes_zero else "white",
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Difference, percentage points")


def _forest_legend(fig: Figure) -> None:
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], color=BLUE, marker="o", label="clearly better for programme families"),
        Line2D([], [], color=VERMILLION, marker="o", label="clearly worse"),
        Line2D([], [], color=GREY, marker="o", markerfacecolor="white", label="no clear difference"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)


def love_plot(inputs: StudyReportInputs) -> DrawnChart:
    """Absolute standardised mean differences before (hollow) and after (filled) matching."""
    tables = inputs.balance
    covariates = list(dict.fromkeys(r.covariate for t in tables for r in t.rows))
    with mpl.rc_context(_STYLE):
        fig = Figure(figsize=(3.2 + 3.0 * len(tables), 1.2 + 0.3 * len(covariates)), layout="constrained")
        axes = fig.subplots(1, len(tables), sharey=True, sharex=True, squeeze=False)[0]
        for ax, table in zip(axes, tables, strict=True):
            rows = {r.covariate: r for r in table.rows}
            for y, name in enumerate(covariates):
                if name in rows:
                    ax.plot(abs(rows[name].smd_before), y, "s", color=ORANGE, markerfacecolor="white")
                    ax.plot(abs(rows[name].smd_after), y, "o", color=BLUE)
            ax.axvline(table.smd_threshold, color=GREY, linestyle="--", linewidth=0.8)
            ax.set_title(_panel_title(inputs.cohort.group(table.comparison_group).label), loc="left")
            ax.set_xlabel("Absolute standardised mean difference")
        axes[0].set_yticks(range(len(covariates)), covariates)
        axes[0].invert_yaxis()
        axes[0].plot([], [], "s", color=ORANGE, markerfacecolor="white", label="before matching")
        axes[0].plot([], [], "o", color=BLUE, label="after matching")
        fig.legend(loc="outside lower center", ncols=2, frameon=False)
    after_ok = sum(abs(r.smd_after) < t.smd_threshold for t in tables for r in t.rows)
    before_ok = sum(abs(r.smd_before) < t.smd_threshold for t in tables for r in t.rows)
    total = sum(len(t.rows) for t in tables)
    alt = (
        f"Balance (love) plot of {len(covariates)} family characteristics for {len(tables)} comparison "
        f"group(s): absolute standardised differences before matching (hollow squares) and after (filled "
        f"dots), with a dashed line at the 0.1 threshold. {before_ok} of {total} were under the threshold "
        f"before matching and {after_ok} of {total} after. The balance table follows the chart."
    )
    return DrawnChart("balance-plot", "Balance before and after matching", alt, fig)


def linkage_chart(inputs: StudyReportInputs) -> DrawnChart:
    """Match rate per department, overall (line) and by sex, age band and ethnicity (dots)."""
    departments = inputs.linkage.departments
    labels = list(dict.fromkeys(f"{r.dimension}: {r.group}" for d in departments for r in d.by_group))
    with mpl.rc_context(_STYLE):
        fig = Figure(
            figsize=(2.6 + 2.4 * len(departments), 1.0 + 0.26 * max(len(labels), 1)), layout="constrained"
        )
        axes = fig.subplots(1, len(departments), sharey=True, squeeze=False)[0]
        for ax, dept in zip(axes, departments, strict=True):
            rates = {f"{r.dimension}: {r.group}": r.match_rate for r in dept.by_group}
            for y, label in enumerate(labels):
                rate = rates.get(label)
                if rate is not None:
                    ax.plot(rate * 100, y, "o", color=BLUE)
            ax.axvline(
                dept.match_rate * 100,
                color=VERMILLION,
                linewidth=1,
                label="overall" if ax is axes[0] else None,
            )
            ax.set_title(f"{dept.department} (overall {dept.match_rate * 100:.1f}%)", loc="left")
            ax.set_xlabel("Match rate, %")
        if labels:
            axes[0].set_yticks(range(len(labels)), labels)
            axes[0].invert_yaxis()
        fig.legend(loc="outside lower center", frameon=False)
    rates_text = "; ".join(f"{d.department} {d.match_rate * 100:.1f}%" for d in departments)
    alt = (
        f"Dot plot of linkage match rates by department ({rates_text}), each panel showing the rate for "
        "each sex, age band and ethnic group against the department's overall rate (vertical line). "
        "Groups too small to publish are left out. The linkage tables follow the chart."
    )
    return DrawnChart("linkage-chart", "Linkage match rates by department and group", alt, fig)


def cohort_chart(inputs: StudyReportInputs) -> DrawnChart:
    """Families per group, and the share of each group's families meeting each criterion."""
    cohort = inputs.cohort
    table = cohort.criteria_met
    with mpl.rc_context(_STYLE):
        fig = Figure(figsize=(10, 1.4 + 0.45 * len(table.rows)), layout="constrained")
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 2]})
        sizes = [count_value(g.families) or 0 for g in cohort.groups]
        left.barh(range(len(cohort.groups)), sizes, color=BLUE)
        left.set_yticks(range(len(cohort.groups)), [g.label for g in cohort.groups])
        left.invert_yaxis()
        left.set_xlabel("Families")
        left.set_title("Families in each group", loc="left")
        _criteria_bars(fig, right, inputs)
    groups_text = "; ".join(f"{g.label}: {g.families} families" for g in cohort.groups)
    alt = (
        f"Two bar charts. Left: the number of families in each group ({groups_text}). Right: for each of "
        f"{len(table.rows)} headline criteria, the share of each group's families who met it. The tables "
        "after the chart give every figure."
    )
    return DrawnChart("cohort-chart", "The cohort and its eligibility profile", alt, fig)


def _criteria_bars(fig: Figure, ax: Axes, inputs: StudyReportInputs) -> None:
    table = inputs.cohort.criteria_met
    use_percents = all(r.percents is not None for r in table.rows)
    colours = [BLUE, ORANGE, "#009E73", "#CC79A7", GREY]
    hatches = ["", "//", "..", "xx", "--"]
    height = 0.8 / max(len(table.columns), 1)
    for c, column in enumerate(table.columns):
        values = []
        for row in table.rows:
            value = row.percents[c] if use_percents and row.percents else count_value(row.counts[c])
            values.append(float(value or 0) * (100 if use_percents else 1))
        positions = [r + c * height for r in range(len(table.rows))]
        label = next((g.label for g in inputs.cohort.groups if g.key == column), column)
        ax.barh(
            positions,
            values,
            height,
            color=colours[c % 5],
            hatch=hatches[c % 5],
            label=label,
            edgecolor="white",
        )
    ax.set_yticks([r + 0.4 - height / 2 for r in range(len(table.rows))], [r.label for r in table.rows])
    ax.invert_yaxis()
    ax.set_xlabel("% of the group's families" if use_percents else "Families")
    ax.set_title(table.title, loc="left")
    fig.legend(loc="outside lower center", ncols=len(table.columns), frameon=False)


def drawn_charts(inputs: StudyReportInputs) -> dict[str, DrawnChart]:
    """Every chart the report shows, keyed by section, as figures."""
    with mpl.rc_context(_STYLE):
        charts = {"cohort": cohort_chart(inputs)}
        # A small or heavily suppressed release can have nothing to draw in a section: its chart is
        # left out (the section's text and tables say why) rather than drawing an empty figure.
        if inputs.linkage.departments:
            charts["linkage"] = linkage_chart(inputs)
        if inputs.balance:
            charts["balance"] = love_plot(inputs)
        if inputs.effects:
            charts["forest"] = forest_plot(inputs)
        return charts


def all_charts(inputs: StudyReportInputs, drawn: dict[str, DrawnChart] | None = None) -> dict[str, Chart]:
    """Every chart the report shows, keyed by section, embedded as SVG data URIs (`drawn` reuses figures)."""
    with mpl.rc_context(_STYLE):
        return {
            key: Chart(c.id, c.title, c.alt, _to_data_uri(c.figure))
            for key, c in (drawn or drawn_charts(inputs)).items()
        }
