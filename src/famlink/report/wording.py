"""Plain-language wording of checked figures: percentages, differences, verdicts and the director's summary.

Everything here rewords numbers that are already in the inputs (a rate as a percentage, an interval as
"between x and y points lower"). Comparing an interval with zero is the only judgement made, and it is
the same one a statistician makes reading the table. Nothing is estimated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from famlink.report.checks import GroupStatement
from famlink.report.counts import format_count
from famlink.report.inputs import StudyReportInputs
from famlink.report.sections import Effect, OutcomeInfo

Verdict = Literal["better", "worse", "unclear"]


def percent(rate: float, digits: int = 1) -> str:
    """0.017 -> '1.7%'."""
    return f"{rate * 100:.{digits}f}%"


def points(diff: float, outcome: OutcomeInfo) -> str:
    """A difference in the outcome's own scale: percentage points for proportions."""
    if outcome.scale == "proportion":
        return f"{abs(diff) * 100:.1f} percentage points"
    return f"{abs(diff):.2f}"


def signed(diff: float, outcome: OutcomeInfo) -> str:
    """A signed difference for tables: '-0.8 pp' or '+0.012'."""
    if outcome.scale == "proportion":
        return f"{diff * 100:+.1f} pp"
    return f"{diff:+.3f}"


def span(low: float, high: float, outcome: OutcomeInfo) -> str:
    """An interval for tables: '-1.2 pp to -0.4 pp'."""
    return f"{signed(low, outcome)} to {signed(high, outcome)}"


def level(value: float, outcome: OutcomeInfo) -> str:
    return percent(value) if outcome.scale == "proportion" else f"{value:.2f}"


def verdict(effect: Effect, outcome: OutcomeInfo) -> Verdict:
    """'better' when the whole interval lies on the good side of zero, 'worse' on the bad side."""
    if not effect.excludes_zero:
        return "unclear"
    lower_is_good = outcome.better == "lower"
    return "better" if (effect.ci_high < 0) == lower_is_good else "worse"


def direction(diff: float) -> str:
    return "lower" if diff < 0 else "higher"


def interval_text(effect: Effect, outcome: OutcomeInfo, confidence: float) -> str:
    """'95% confidence interval: 0.4 to 1.2 percentage points lower' (or 'from x lower to y higher')."""
    label = f"{confidence * 100:.0f}% confidence interval"
    low, high = effect.ci_low, effect.ci_high
    if effect.excludes_zero:
        near, far = sorted((abs(low), abs(high)))
        unit = points(1, outcome).split(" ", 1)[1] if outcome.scale == "proportion" else ""
        scale = f" {unit}" if unit else ""
        return (
            f"{label}: {near * _factor(outcome):.1f} to {far * _factor(outcome):.1f}{scale} {direction(low)}"
        )
    return f"{label}: from {points(low, outcome)} lower to {points(high, outcome)} higher"


def _factor(outcome: OutcomeInfo) -> float:
    return 100.0 if outcome.scale == "proportion" else 1.0


def effect_sentence(effect: Effect, outcome: OutcomeInfo, window_label: str, comparison_label: str) -> str:
    """One plain sentence per effect, e.g. 'Looked after by the council (children under 18), 19-24
    months after the start: 1.7% on the programme vs 2.5% of families who joined later (0.8 percentage
    points lower).'"""
    who = f" ({outcome.population})" if outcome.population else ""
    return (
        f"{outcome.label}{who}, {window_label}: {level(effect.treated_rate, outcome)} on the programme vs "
        f"{level(effect.comparison_rate, outcome)} of {_lower_first(comparison_label)} "
        f"({points(effect.att, outcome)} {direction(effect.att)})."
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def statement_sentence(statement: GroupStatement, comparison_label: str) -> str:
    """The documents' form: 'x% of families on the programme <did> <when>, compared with y% of <others>.'"""
    return (
        f"{percent(statement.programme_rate, 0)} of families on the programme {statement.achievement} "
        f"{statement.period}, compared with {percent(statement.comparison_rate, 0)} of "
        f"{comparison_label[0].lower() + comparison_label[1:]}."
    )


@dataclass(frozen=True)
class DirectorSummary:
    """The summary's four parts: what was done, what was found, how sure, what it does not show."""

    what_we_did: str
    tally: str
    better: list[str]
    worse: list[str]
    how_sure: list[str]
    does_not_show: list[str]


def director_summary(inputs: StudyReportInputs) -> DirectorSummary:
    cohort = inputs.cohort
    primary = cohort.group(inputs.metadata.primary_comparison)
    programme = cohort.group(cohort.programme_group)
    outcomes = {o.key: o for o in inputs.outcomes}
    windows = {w.key: w.label for w in inputs.windows}
    effects = [e for e in inputs.effects if e.comparison_group == primary.key]
    verdicts = [verdict(e, outcomes[e.outcome]) for e in effects]
    departments = ", ".join(d.department for d in inputs.linkage.departments)
    what = (
        f"We compared {format_count(programme.families)} families on the programme with "
        f"{format_count(primary.families)} {primary.label[0].lower() + primary.label[1:]}, using records "
        f"linked from {departments}. We looked at {len({e.outcome for e in effects})} outcomes in "
        f"{len({e.window for e in effects})} time windows after each family's start."
    )
    tally = (
        f"Of {len(effects)} results, {verdicts.count('better')} show programme families clearly doing "
        f"better, {verdicts.count('worse')} clearly worse, and {verdicts.count('unclear')} show no clear "
        "difference either way."
    )
    sentences = {"better": [], "worse": [], "unclear": []}  # type: dict[str, list[str]]
    for effect, found in zip(effects, verdicts, strict=True):
        window = windows.get(effect.window, effect.window)
        sentences[found].append(effect_sentence(effect, outcomes[effect.outcome], window, primary.label))
    return DirectorSummary(
        what,
        tally,
        sentences["better"],
        sentences["worse"],
        _how_sure(inputs, len(effects)),
        _does_not_show(inputs),
    )


def _how_sure(inputs: StudyReportInputs, n_results: int) -> list[str]:
    level_text = f"{inputs.metadata.confidence_level * 100:.0f}%"
    lines = [
        f"A result counts as clear only when its {level_text} confidence interval lies wholly on one side of "
        f"no difference. With {n_results} results, about one in twenty could look clear by chance alone, "
        "so a pattern across time windows is more convincing than a single result."
    ]
    for table in inputs.balance:
        balanced = sum(abs(r.smd_after) < table.smd_threshold for r in table.rows)
        label = inputs.cohort.group(table.comparison_group).label
        lines.append(
            f"After matching, {balanced} of {len(table.rows)} family characteristics were similar between "
            f"programme families and {label[0].lower() + label[1:]} (standardised difference under "
            f"{table.smd_threshold:g})."
        )
    if inputs.placebo:
        near_zero = sum(not (p.ci_low > 0 or p.ci_high < 0) for p in inputs.placebo)
        lines.append(
            f"Placebo check: in the year before the start, {near_zero} of {len(inputs.placebo)} differences "
            "were consistent with none, as they should be if the groups were comparable."
        )
    return lines


def _does_not_show(inputs: StudyReportInputs) -> list[str]:
    return [
        "It does not show what happened to any individual family, and it cannot be used to make decisions "
        "about anyone.",
        "It cannot rule out differences between the groups that no record captures (see Limitations).",
        *inputs.limitations[:1],
    ]
