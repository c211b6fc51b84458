"""Assemble `StudyReportInputs` from the checked parts: descriptions, method notes and limitations.

The words here describe how the figures were made; every number they quote comes from the release
(counts as published, or `[c]`). The outcome definitions repeat `docs/reference/outcomes.md` in
plain language for the report's readers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any, Literal

import pandas as pd
from pydantic import ValidationError

from famlink.disclosure import Release, protect_counts
from famlink.errors import ConfigError
from famlink.evaluation.study import COUNCIL_SHARE
from famlink.report.checks import MethodNote
from famlink.report.sections import DisclosureSettings, OutcomeInfo, StudyMetadata, WindowInfo
from famlink.roles.research.outputs.analyse import HEADLINE_OUTCOMES, POST_WINDOWS, StudyAnalysis
from famlink.roles.research.outputs.figures import method_label
from famlink.roles.research.outputs.tables import GROUP_LABELS, shown

Better = Literal["lower", "higher"]
OUTCOMES: dict[str, tuple[str, Better, str, str]] = {
    # key: (label, better, population, definition)
    "looked_after": (
        "Looked after by the council",
        "lower",
        "children under 18",
        "A looked-after episode open at any time in the window (DfE children in need census).",
    ),
    "child_protection_plan": (
        "On a child protection plan",
        "lower",
        "children under 18",
        "A child protection plan open at any time in the window.",
    ),
    "child_in_need": (
        "Child in need",
        "lower",
        "children under 18",
        "Any child in need, protection plan or looked-after episode open in the window.",
    ),
    "adult_custody": (
        "Adult custodial sentence",
        "lower",
        "adults aged 18 and over",
        "A custodial sentence as an adult dated in the window (MoJ).",
    ),
    "juvenile_custody": (
        "Juvenile custodial sentence",
        "lower",
        "children aged 10-17",
        "A custodial sentence as a juvenile dated in the window (MoJ).",
    ),
    "juvenile_conviction": (
        "Conviction as a juvenile",
        "lower",
        "children aged 10-17",
        "A conviction as a juvenile dated in the window (MoJ).",
    ),
    "offence": (
        "Any offence",
        "lower",
        "people aged 10 and over",
        "At least one offence recorded in the window (MoJ).",
    ),
    "out_of_work_benefit": (
        "On out-of-work benefits",
        "lower",
        "people aged 16 and over",
        "A JSA, ESA, IS or UC spell overlapping the window (DWP).",
    ),
    "employment": (
        "In employment",
        "higher",
        "people aged 16 and over",
        "An employment spell overlapping the window (DWP).",
    ),
    "persistent_absence": (
        "Persistently absent from school",
        "lower",
        "children aged 5-15",
        "Missed 10% or more of possible sessions in terms starting in the window (DfE).",
    ),
    "exclusion": (
        "Excluded from school",
        "lower",
        "children aged 5-15",
        "Any fixed-period or permanent exclusion dated in the window (DfE).",
    ),
}
WINDOW_LABELS = {
    "m0_6": "0-6 months after the start",
    "m7_12": "7-12 months after the start",
    "m13_18": "13-18 months after the start",
    "m19_24": "19-24 months after the start",
}
DEFAULT_METADATA: dict[str, Any] = {
    "title": "Family support programme: national impact study",
    "world": "the research store's linked dataset",
    "agreement_id": "not recorded",
    "organisation": "famlink research role",
}


def study_metadata(
    metadata: dict[str, Any], *, seed: int, observed_until: dt.date, primary: str
) -> StudyMetadata:
    """The caller's metadata over famlink's defaults; a bad field is a ConfigError naming it."""
    merged = {
        **DEFAULT_METADATA,
        "run_date": dt.date.today(),
        "release": f"impact-study-{observed_until:%Y-%m}",
        "seed": seed,
        "primary_comparison": primary,
        **metadata,
    }
    try:
        return StudyMetadata(**merged)
    except ValidationError as err:
        first = err.errors()[0]
        raise ConfigError(
            f"the study metadata is not valid: {first['msg']}",
            where="metadata." + ".".join(str(p) for p in first["loc"]),
            fix="pass title, release, world, run_date and agreement_id as StudyMetadata describes",
        ) from None


def disclosure_settings(release: Release) -> DisclosureSettings:
    rules = release.rules
    return DisclosureSettings(
        threshold=rules.threshold,
        rounding_base=rules.rounding_base,
        zeros_disclosive=rules.zeros_are_disclosive,
    )


def outcome_infos() -> list[OutcomeInfo]:
    return [
        OutcomeInfo(
            key=k,
            label=OUTCOMES[k][0],
            better=OUTCOMES[k][1],
            population=OUTCOMES[k][2],
            definition=OUTCOMES[k][3],
        )
        for k in HEADLINE_OUTCOMES
    ]


def window_infos() -> list[WindowInfo]:
    return [WindowInfo(key=w, label=WINDOW_LABELS[w]) for w in POST_WINDOWS]


def excluded_count(release: Release, analysis: StudyAnalysis) -> str:
    """People left out for an unknown age at start, as a protected count (`[c]` when small)."""
    counts = pd.DataFrame({"people": [analysis.dropped_unknown_age]}, index=["unknown age at start"])
    table = protect_counts(
        counts, release.rules, name="cohort-exclusions", row_var="reason", col_var=None, margins=False
    )
    table = release.add_table(replace(table, measure="people excluded"))
    return shown(table, 0, 0)


def method_notes(analysis: StudyAnalysis, *, demo_bootstrap_note: str = "") -> list[MethodNote]:
    s = analysis.settings
    compared = ", ".join(f"'{GROUP_LABELS[c].lower()}'" for c in analysis.results)
    return [
        MethodNote(
            title="Design",
            text="Programme families were compared with families who joined later (the 2019 national "
            f"evaluation's choice, the primary comparison) and with families assessed but never joined, side "
            f"by side ({compared}). Comparison families get a pseudo-start: the date they were put on the "
            "waiting list or assessed. People are the unit; each outcome is measured in four six-month "
            "windows after the start, with the 12 months before as the pre-period.",
        ),
        MethodNote(
            title="Later-joiners stop counting once they join",
            text="A family waiting for a place is a fair comparison only until it gets one. For people in "
            "families who joined later, any window ending after their own join date is set to missing, so "
            "later windows can have no comparison data at all; those results are reported as not estimable.",
        ),
        MethodNote(
            title="Estimation",
            text=f"{method_label(s.method)} with a {s.propensity} propensity score on role, sex, age at "
            "start, "
            "problems met and council (the evaluation's default, chosen by its coverage benchmark). The "
            "effect is the average difference for programme people (the ATT). The programme rate shown is "
            "computed from rounded counts; the comparison rate is that rate minus the estimated effect.",
        ),
        MethodNote(
            title="Uncertainty",
            text=f"{s.confidence * 100:.0f}% confidence intervals from a {s.se} bootstrap with {s.bootstrap} "
            f"replicates (seed {s.seed}), resampling whole families. {demo_bootstrap_note}".strip(),
        ),
        MethodNote(
            title="Disclosure control",
            text="Every figure passed one output-checking release: counts below the threshold (zeros "
            "included) are suppressed as [c] with further cells hidden where totals would reveal them, all "
            "counts are rounded to the base, percentages are computed from rounded counts, statements and "
            "effects are withheld when a group behind them is too small, and each model needs enough "
            "residual degrees of freedom and no single-unit subgroup.",
        ),
    ]


def limitations(analysis: StudyAnalysis, excluded: str, withheld: list[str]) -> list[str]:
    notes = [
        "Matching can only balance what was recorded. Families who joined may differ from those who "
        "waited in ways no dataset shows; the E-values show how strong such a difference would need to be.",
        "People with an unknown age at start were left out, because every outcome measure depends on age "
        f"(number left out: {excluded}).",
    ]
    for comparison in analysis.results:
        missing = analysis.not_estimable(comparison)
        if missing:
            windows = sorted({w for _, w in missing}, key=POST_WINDOWS.index)
            notes.append(
                f"Against {GROUP_LABELS[comparison].lower()}, {len(missing)} outcome-window results are not "
                f"estimable (no eligible people in one group, e.g. after censoring at joining), in: "
                f"{', '.join(WINDOW_LABELS[w] for w in windows)}."
            )
    if any(b.covariate == COUNCIL_SHARE for r in analysis.results.values() for b in r.balance):
        notes.append(
            "With this many councils, each council enters the models as the share of its cohort on the "
            "programme rather than as a category of its own: differences between councils in who joins are "
            "adjusted for, other differences between councils are not."
        )
    for comparison, reason in analysis.skipped_comparisons.items():
        notes.append(f"No comparison with {GROUP_LABELS.get(comparison, comparison).lower()}: {reason}.")
    if withheld:
        notes.append(
            "Withheld by disclosure control (a group behind the figure was too small): "
            + "; ".join(withheld)
            + "."
        )
    notes.append(
        "People whose records could not be linked are missing from the outcomes; see Linkage quality. "
        "Many outcomes and windows are tested, so about one clear result in twenty could arise by chance."
    )
    return notes
