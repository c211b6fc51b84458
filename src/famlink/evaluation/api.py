"""Evaluate a user's file end to end: read, validate, estimate, and present (JSON and a Rich table).

The CLI's `famlink evaluate` is a thin wrapper over `evaluate_file`; the research role can call
`evaluate` (famlink.evaluation.run) directly on a linked dataset it already holds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from famlink.evaluation.balance import plot_common_support
from famlink.evaluation.data import prepare_data
from famlink.evaluation.run import EvaluationResult, EvaluationSettings, evaluate
from famlink.evaluation.subgroups import SubgroupResult, evaluate_subgroups
from famlink.tabular import atomic_path, read_table


@dataclass
class FileEvaluation:
    """Everything one `famlink evaluate` run produced."""

    source: str
    result: EvaluationResult
    subgroups: SubgroupResult | None = None
    plot: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {"data": self.source, **self.result.to_dict()}
        if self.subgroups is not None:
            out["subgroups"] = self.subgroups.to_dict()
        if self.plot is not None:
            out["common_support"]["plot"] = str(self.plot)
        return out


def evaluate_file(
    path: str | Path,
    *,
    treatment: str,
    outcomes: Sequence[str],
    covariates: Sequence[str],
    cluster: str | None = None,
    pre_outcomes: Sequence[str] | None = None,
    settings: EvaluationSettings | None = None,
    subgroup: str | None = None,
    plot: str | Path | None = None,
    on_step: Callable[[], None] | None = None,
) -> FileEvaluation:
    """Read a CSV or Parquet file and evaluate it; numeric text columns are cast to numbers."""
    settings = settings or EvaluationSettings()
    table = read_table(path)
    data = prepare_data(
        table,
        treatment=treatment,
        outcomes=outcomes,
        covariates=covariates,
        cluster=cluster,
        pre_outcomes=pre_outcomes,
        keep=[subgroup] if subgroup else [],
        source=str(path),
    )
    result = evaluate(data, settings, on_step)
    subgroups = evaluate_subgroups(data, settings, subgroup) if subgroup else None
    picture = None
    if plot is not None and result.scores is not None and result.treated is not None:
        picture = plot_common_support(result.scores, result.treated, plot)
    return FileEvaluation(str(path), result, subgroups, picture)


def write_result_json(run: FileEvaluation, path: str | Path) -> Path:
    """Write the results atomically (a failed run leaves no file)."""
    target = Path(path)
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(run.to_dict(), indent=2, default=str) + "\n", encoding="utf-8")
    return target


def render_result(run: FileEvaluation, console: Console) -> None:
    """The estimates, then the balance, as readable tables."""
    console.print(_estimates_table(run.result))
    console.print(_balance_table(run.result))
    if run.result.placebo:
        console.print(_estimates_table(run.result, placebo=True))
    for note in run.result.notes:
        console.print(f"[yellow]note:[/] {note}")


def _estimates_table(result: EvaluationResult, placebo: bool = False) -> Table:
    s = result.settings
    title = "Placebo (pre-period; should be near 0)" if placebo else f"Effect on the treated ({s.method})"
    level = f"{int(s.confidence * 100)}% CI"
    table = Table(title=title, caption=f"SE: {s.se}; naive (unadjusted) differences are in the JSON")
    table.add_column("outcome", overflow="fold")
    for header in ("ATT", level, "p", "treated", "comparison", "n t/c"):
        table.add_column(header, justify="right", no_wrap=True)
    for e in result.placebo if placebo else result.estimates:
        table.add_row(
            e.outcome,
            _fmt(e.att),
            f"{_fmt(e.ci_low)}, {_fmt(e.ci_high)}",
            _fmt(e.p_value, 3),
            _fmt(e.treated_mean),
            _fmt(e.control_mean),
            f"{e.n_treated}/{e.n_control_used}",
        )
    return table


def _balance_table(result: EvaluationResult) -> Table:
    table = Table(title="Balance: standardised mean differences (|SMD| < 0.1 is the usual mark)")
    for header in ("covariate", "SMD before", "SMD after", "VR before", "VR after"):
        table.add_column(header, justify="left" if header == "covariate" else "right")
    for b in result.balance:
        style = "" if b.balanced else "red"
        table.add_row(
            b.covariate,
            _fmt(b.smd_before, 3),
            _fmt(b.smd_after, 3),
            _fmt(b.variance_ratio_before, 2),
            _fmt(b.variance_ratio_after, 2),
            style=style,
        )
    return table


def _fmt(value: float, digits: int = 4) -> str:
    return "–" if not math.isfinite(value) else f"{value:.{digits}f}"
