"""famlink.evaluation: outcome windows, comparison groups, matching, weighting, balance, estimates.

Public API (everything else is internal):
- outcomes: `person_outcomes(cohort, sources, observed_until=None)`, `family_outcomes(people)`;
- the study: `study_dataset(people, comparison='later')`, `evaluate_study(people, ...)`,
  `side_by_side(results)`, `family_level(people)`;
- any table: `prepare_data(table, treatment=, outcomes=, covariates=, ...)`,
  `evaluate(data, EvaluationSettings(...))`, `evaluate_file(path, ...)`;
- presentation: `write_result_json`, `render_result`, `plot_common_support`.
"""

from famlink.evaluation.api import FileEvaluation, evaluate_file, render_result, write_result_json
from famlink.evaluation.balance import BalanceRow, balance_table, plot_common_support
from famlink.evaluation.data import EvaluationData, prepare_data
from famlink.evaluation.estimators import METHODS
from famlink.evaluation.outcomes import OUTCOME_NAMES, WINDOWS, family_outcomes, person_outcomes
from famlink.evaluation.run import (
    DEFAULT_METHOD,
    Estimate,
    EvaluationResult,
    EvaluationSettings,
    evaluate,
)
from famlink.evaluation.study import (
    COMPARISON_GROUPS,
    evaluate_study,
    family_level,
    side_by_side,
    study_dataset,
)
from famlink.evaluation.subgroups import SubgroupResult, evaluate_subgroups

__all__ = [
    "COMPARISON_GROUPS",
    "DEFAULT_METHOD",
    "METHODS",
    "OUTCOME_NAMES",
    "WINDOWS",
    "BalanceRow",
    "Estimate",
    "EvaluationData",
    "EvaluationResult",
    "EvaluationSettings",
    "FileEvaluation",
    "SubgroupResult",
    "balance_table",
    "evaluate",
    "evaluate_file",
    "evaluate_study",
    "evaluate_subgroups",
    "family_level",
    "family_outcomes",
    "person_outcomes",
    "plot_common_support",
    "prepare_data",
    "render_result",
    "side_by_side",
    "study_dataset",
    "write_result_json",
]
