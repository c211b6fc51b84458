"""Estimates within subgroups (e.g. by council or by number of problems met).

Each subgroup is a full, separate run (its own propensity model and matching or weighting), because
the question "did it work for families with five problems?" compares like with like inside that group.
Subgroups too small to analyse are listed with the reason rather than silently left out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from famlink.errors import AnalysisError, ConfigError
from famlink.evaluation.data import EvaluationData
from famlink.evaluation.run import Estimate, EvaluationSettings, evaluate


@dataclass
class SubgroupResult:
    column: str
    estimates: dict[str, list[Estimate]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "estimates": [
                {"subgroup": level, **asdict(e)} for level, rows in self.estimates.items() for e in rows
            ],
            "skipped": [{"subgroup": level, "reason": why} for level, why in self.skipped.items()],
        }


def evaluate_subgroups(data: EvaluationData, settings: EvaluationSettings, by: str) -> SubgroupResult:
    """Run the evaluation separately in each level of the column `by` (kept via prepare_data)."""
    if by not in data.extra:
        raise ConfigError(f"subgroup column '{by}' was not loaded", fix="pass it to prepare_data(keep=...)")
    levels = data.extra[by]
    result = SubgroupResult(column=by)
    quiet = replace(settings, placebo=False)
    for level in sorted({str(v) for v in levels}):
        rows = np.flatnonzero(levels.astype(str) == level)
        try:
            result.estimates[level] = evaluate(data.subset(rows), quiet).estimates
        except AnalysisError as err:
            result.skipped[level] = err.what
    return result
