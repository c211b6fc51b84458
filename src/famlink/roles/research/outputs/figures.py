"""Effects, balance, placebo and sensitivity results, with every count and rate behind them checked.

An effect is published only when the groups behind it are safe to describe: the programme people
with (and without) the outcome, and the comparison people with (and without) it, each reach the
threshold (`Release.add_proportion`). The programme rate printed is the one computed from the rounded
counts; the comparison rate is that rate minus the estimated effect, so the three figures shown agree.
The models behind each comparison are checked for residual degrees of freedom and single-unit
subgroups (`Release.add_model`). Anything that fails is left out and said so, never printed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from famlink.disclosure import ProtectedProportion, Release
from famlink.evaluation import Estimate, EvaluationResult
from famlink.evaluation.outcomes import outcome_column
from famlink.report.checks import PlaceboResult, SensitivityResult
from famlink.report.sections import BalanceRow, BalanceTable, Effect
from famlink.roles.research.outputs.analyse import HEADLINE_OUTCOMES, POST_WINDOWS, PROGRAMME, StudyAnalysis

METHOD_LABELS = {
    "aipw": "Doubly robust (augmented inverse probability weighting)",
    "ipw": "Inverse probability weighting",
    "psm": "Propensity score matching",
    "psm_bc": "Bias-corrected propensity score matching",
    "did": "Difference-in-differences",
}
STUDY_CATEGORICALS = ("role", "sex", "council")


@dataclass
class ComparisonFigures:
    """The checked parts for one comparison group."""

    effects: list[Effect] = field(default_factory=list)
    balance: BalanceTable | None = None
    placebo: list[PlaceboResult] = field(default_factory=list)
    sensitivity: list[SensitivityResult] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)


def window_text(window: str) -> str:
    """'m7_12' -> '7-12 months'."""
    low, high = window.removeprefix("m").split("_")
    return f"{low}-{high} months"


def method_label(method: str) -> str:
    return METHOD_LABELS.get(method, method)


def group_counts(people: pa.Table, comparison: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(group, column) -> (people with the outcome, people measured), for each headline column."""
    columns = [
        outcome_column(o, w)
        for o in HEADLINE_OUTCOMES
        for w in POST_WINDOWS
        if outcome_column(o, w) in people.column_names
    ]
    con = duckdb.connect()
    con.register("study_people", people)
    aggregates = ", ".join(f"CAST(sum({c}) AS BIGINT), count({c})" for c in columns)
    rows = con.execute(
        f'SELECT "group", {aggregates} FROM study_people WHERE "group" IN (?, ?) GROUP BY "group"',
        [PROGRAMME, comparison],
    ).fetchall()
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for row in rows:
        for index, column in enumerate(columns):
            out[(str(row[0]), column)] = (int(row[1 + 2 * index] or 0), int(row[2 + 2 * index]))
    return out


def comparison_figures(release: Release, analysis: StudyAnalysis, comparison: str) -> ComparisonFigures:
    """Check and collect everything published about programme vs `comparison`."""
    result = analysis.results[comparison]
    figures = ComparisonFigures()
    if not _models_pass(release, analysis, comparison, result):
        figures.withheld.append(f"all results against '{comparison}' (a model check failed)")
        return figures
    counts = group_counts(analysis.people, comparison)
    by_column = {e.outcome: e for e in result.estimates}
    for outcome in HEADLINE_OUTCOMES:
        for window in POST_WINDOWS:
            estimate = by_column.get(outcome_column(outcome, window))
            if estimate is None or not (math.isfinite(estimate.att) and math.isfinite(estimate.se)):
                continue
            effect = _effect(release, comparison, outcome, window, estimate, counts)
            if effect is None:
                figures.withheld.append(f"{outcome.replace('_', ' ')}, {window_text(window)}")
                continue
            figures.effects.append(effect)
            figures.sensitivity.append(_sensitivity(comparison, outcome, window, estimate))
    figures.balance = _balance(result, comparison)
    figures.placebo = _placebo(result, comparison)
    return figures


def _effect(
    release: Release,
    comparison: str,
    outcome: str,
    window: str,
    estimate: Estimate,
    counts: dict[tuple[str, str], tuple[int, int]],
) -> Effect | None:
    column = outcome_column(outcome, window)
    name = f"effect-{comparison}-{outcome}-{window}"
    treated = release.add_proportion(*counts.get((PROGRAMME, column), (0, 0)), name=f"{name}-programme")
    control = release.add_proportion(*counts.get((comparison, column), (0, 0)), name=f"{name}-comparison")
    if not _published(treated) or not _published(control):
        return None
    assert treated.percent is not None and treated.denominator is not None and control.denominator is not None
    rate = treated.percent / 100
    return Effect(
        output_id=f"effects-{comparison}",
        outcome=outcome,
        window=window,
        method=method_label(estimate.method),
        comparison_group=comparison,
        att=round(estimate.att, 4),
        ci_low=round(estimate.ci_low, 4),
        ci_high=round(estimate.ci_high, 4),
        treated_rate=round(rate, 4),
        comparison_rate=round(min(1.0, max(0.0, rate - estimate.att)), 4),
        n_treated=str(treated.denominator),
        n_comparison=str(control.denominator),
        p_value=None if not math.isfinite(estimate.p_value) else round(estimate.p_value, 4),
    )


def _published(figure: ProtectedProportion) -> bool:
    return figure.percent is not None


def _models_pass(
    release: Release, analysis: StudyAnalysis, comparison: str, result: EvaluationResult
) -> bool:
    """One check per published model family: propensity (balance), outcome (effects), placebo, E-values."""
    n_obs, sizes = _design(analysis.people, comparison)
    n_params = len(result.balance) + 2  # covariates, treatment and intercept
    names = [f"{kind}-{comparison}" for kind in ("balance", "effects", "placebo", "sensitivity")]
    checks = [release.add_model(name=n, n_obs=n_obs, n_params=n_params, subgroup_sizes=sizes) for n in names]
    return all(c.status == "pass" for c in checks)


def _design(people: pa.Table, comparison: str) -> tuple[int, dict[str, int]]:
    """Units in the analysis and, per category of each categorical covariate, the smaller side."""
    con = duckdb.connect()
    con.register("study_people", people)
    where = f"\"group\" IN ('{PROGRAMME}', '{comparison}')"
    n_obs = int(con.execute(f"SELECT count(*) FROM study_people WHERE {where}").fetchall()[0][0])
    sizes: dict[str, int] = {}
    for column in STUDY_CATEGORICALS:
        if column not in people.column_names:
            continue
        rows = con.execute(
            f"SELECT CAST({column} AS VARCHAR), count(*) FROM study_people WHERE {where} GROUP BY ALL"
        ).fetchall()
        for level, n in rows:
            sizes[f"{column}={level}"] = min(int(n), n_obs - int(n))
    return n_obs, sizes


def _balance(result: EvaluationResult, comparison: str) -> BalanceTable:
    rows = [
        BalanceRow(
            covariate=b.covariate,
            smd_before=_round(b.smd_before),
            smd_after=_round(b.smd_after),
            variance_ratio_before=_finite(b.variance_ratio_before),
            variance_ratio_after=_finite(b.variance_ratio_after),
        )
        for b in result.balance
        if math.isfinite(b.smd_before) and math.isfinite(b.smd_after)  # constant covariates have no SMD
    ]
    return BalanceTable(
        output_id=f"balance-{comparison}",
        comparison_group=comparison,
        method=method_label(result.settings.method),
        rows=rows,
    )


def _placebo(result: EvaluationResult, comparison: str) -> list[PlaceboResult]:
    out = []
    for p in result.placebo:
        outcome = p.outcome.split(" ")[0].removesuffix("_pre12")
        if outcome not in HEADLINE_OUTCOMES or not (math.isfinite(p.att) and math.isfinite(p.se)):
            continue
        out.append(
            PlaceboResult(
                output_id=f"placebo-{comparison}",
                outcome=outcome,
                method=method_label(p.method),
                comparison_group=comparison,
                att=round(p.att, 4),
                ci_low=round(p.ci_low, 4),
                ci_high=round(p.ci_high, 4),
            )
        )
    return out


def _sensitivity(comparison: str, outcome: str, window: str, e: Estimate) -> SensitivityResult:
    return SensitivityResult(
        output_id=f"sensitivity-{comparison}",
        analysis="E-value (unobserved confounding)",
        outcome=outcome,
        window=window,
        comparison_group=comparison,
        e_value=_e_value(e.e_value),
        e_value_ci=_e_value(e.e_value_ci),
        note="How strongly an unmeasured factor would need to be linked to both joining and the outcome "
        "to explain the difference away.",
    )


def _e_value(value: float) -> float | None:
    return round(max(1.0, value), 2) if math.isfinite(value) else None


def _round(value: float) -> float:
    return round(value, 3)


def _finite(value: float) -> float | None:
    return round(value, 3) if math.isfinite(value) else None
