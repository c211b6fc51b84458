"""`produce_study_outputs`: linked dataset in, disclosure-checked report out.

One pass in a fixed order: evaluate inside the store, then build every published figure through one
`Release` (so the differencing check sees them all and one log records them all), then assemble the
report inputs, render (the report's guard re-checks everything), and only then write files. A failure
at any step writes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from famlink.disclosure import DisclosureRules, ProtectedTable, Release
from famlink.report import StudyReportInputs, render_report
from famlink.report.checks import OutputCheckSummary
from famlink.roles.research.outputs.analyse import PRIMARY_COMPARISON, StudyAnalysis, analyse_study
from famlink.roles.research.outputs.figures import comparison_figures
from famlink.roles.research.outputs.inputs_builder import (
    disclosure_settings,
    excluded_count,
    limitations,
    method_notes,
    outcome_infos,
    study_metadata,
    window_infos,
)
from famlink.roles.research.outputs.statements import payment_by_results, statements
from famlink.roles.research.outputs.tables import cohort_section, family_frame, linkage_section
from famlink.tabular import atomic_path

REPORT_NAME = "study-report.html"
INPUTS_NAME = "report-inputs.json"
LOG_NAME = "output-check-log.json"


@dataclass(frozen=True)
class StudyOutputs:
    """Where the outputs are, and a few published (already checked) figures for the CLI summary."""

    report_html: Path
    report_inputs_json: Path
    output_log_json: Path
    tables_dir: Path
    families: dict[str, str] = field(default_factory=dict)
    effects_published: int = 0
    effects_clear: int = 0
    not_estimable: dict[str, int] = field(default_factory=dict)
    output_check: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def produce_study_outputs(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    metadata: dict[str, Any],
    rules: DisclosureRules | None = None,
    seed: int = 1,
    bootstrap: int = 200,
    observed_until: dt.date,
    bootstrap_note: str = "",
) -> StudyOutputs:
    """Evaluate the research store's linked dataset and write the checked report, its inputs and the log.

    `bootstrap_note` is added to the method notes (e.g. when a demo uses fewer replicates).
    """
    meta = study_metadata(metadata, seed=seed, observed_until=observed_until, primary=PRIMARY_COMPARISON)
    analysis = analyse_study(con, observed_until=observed_until, seed=seed, bootstrap=bootstrap)
    started = time.perf_counter()
    primary = meta.primary_comparison
    if primary not in analysis.results:  # e.g. no later-joiners: lead with the group that was evaluated
        primary = next(iter(analysis.results))
        meta = meta.model_copy(update={"primary_comparison": primary})
    release = Release(meta.release, rules)
    inputs = _build_inputs(release, con, analysis, meta, primary, bootstrap_note)
    html = render_report(inputs)
    analysis.seconds["checks_and_report"] = time.perf_counter() - started
    return _write(out_dir, release, inputs, html, analysis)


def _published_log(release: Release) -> tuple[OutputCheckSummary, list[str]]:
    """The log of what is published, and the ids of failed outputs, which are withheld.

    A small study can fail a check (e.g. too few residual degrees of freedom for one comparison):
    the figures behind it are left out of the inputs (figures.py withholds them), the full log on
    disk keeps the failure for the output checker, and the report's own guard still refuses any
    figure whose output id is not in this published log, so nothing failed can slip through.
    """
    full = release.log.as_dict()
    failed = [entry["output"] for entry in full["outputs"] if entry["status"] == "fail"]
    published = {**full, "outputs": [e for e in full["outputs"] if e["status"] != "fail"]}
    if published.get("summary") is not None:
        published["summary"] = {**published["summary"], "fail": 0}
    return OutputCheckSummary.model_validate(published), failed


def _build_inputs(
    release: Release,
    con: duckdb.DuckDBPyConnection,
    analysis: StudyAnalysis,
    meta: Any,
    primary: str,
    bootstrap_note: str,
) -> StudyReportInputs:
    families = family_frame(analysis.people)
    cohort = cohort_section(release, analysis.people, families)
    linkage = linkage_section(release, con)
    excluded = excluded_count(release, analysis)
    effects, balance, placebo, sensitivity, withheld = [], [], [], [], []
    for comparison in analysis.results:
        figures = comparison_figures(release, analysis, comparison)
        effects += figures.effects
        placebo += figures.placebo
        sensitivity += figures.sensitivity
        withheld += [f"{item} against '{comparison}'" for item in figures.withheld]
        if figures.balance is not None:
            balance.append(figures.balance)
    found, not_stated = statements(release, analysis.people, list(analysis.results))
    pbr = payment_by_results(release, analysis.people, primary)
    log, failed = _published_log(release)
    if failed:
        withheld.append(
            f"{len(failed)} checked output(s) that failed disclosure control and so are not published "
            f"(e.g. {', '.join(failed[:3])}); the full output-checking log lists them"
        )
    return StudyReportInputs(
        metadata=meta,
        disclosure=disclosure_settings(release),
        cohort=cohort,
        linkage=linkage,
        outcomes=outcome_infos(),
        windows=window_infos(),
        balance=balance,
        effects=effects,
        statements=found,
        payment_by_results=pbr,
        placebo=placebo,
        sensitivity=sensitivity,
        methods=method_notes(analysis, demo_bootstrap_note=bootstrap_note),
        limitations=limitations(analysis, excluded, withheld + [f"statement {s}" for s in not_stated]),
        output_check=log,
    )


def _write(
    out_dir: Path, release: Release, inputs: StudyReportInputs, html: str, analysis: StudyAnalysis
) -> StudyOutputs:
    out_dir.mkdir(parents=True, exist_ok=True)
    tables_dir = out_dir / "tables"
    tables_dir.mkdir(exist_ok=True)
    for name, output in release.outputs.items():
        if isinstance(output, ProtectedTable):
            with atomic_path(tables_dir / f"{name}.csv") as tmp:
                release.publishable(name).to_csv(tmp)
    log_path = release.log.write_json(out_dir / LOG_NAME)
    inputs_path = inputs.save(out_dir / INPUTS_NAME)
    report = out_dir / REPORT_NAME
    with atomic_path(report) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return StudyOutputs(
        report_html=report,
        report_inputs_json=inputs_path,
        output_log_json=log_path,
        tables_dir=tables_dir,
        families={g.key: g.families for g in inputs.cohort.groups},
        effects_published=len(inputs.effects),
        effects_clear=sum(e.excludes_zero for e in inputs.effects),
        not_estimable={c: len(analysis.not_estimable(c)) for c in analysis.results},
        output_check={
            **{k: v for k, v in inputs.output_check.tally().items() if k != "fail"},
            "withheld (failed)": release.log.counts()["fail"],
        },
        seconds=dict(analysis.seconds),
    )
