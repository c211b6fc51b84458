"""Checks on fitted models before their coefficients leave the research store.

A model with few residual degrees of freedom nearly reproduces its data, and a coefficient on an
indicator that only one unit has is that unit's outcome (minus the rest of the fit). So: at least
`min_residual_df` residual degrees of freedom, and every 0/1 regressor (a subgroup) must hold at least
`min_model_subgroup` units on each side. Works on any statsmodels results object (it reads `df_resid`
and `model.exog`) or on plain counts when the model was fitted elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from famlink.disclosure.results import RuleResult, Status
from famlink.disclosure.rules import DisclosureRules
from famlink.errors import ConfigError


@dataclass(frozen=True)
class ModelCheck:
    """The verdict on one model output; `status == 'fail'` means it may not be released."""

    name: str
    results: tuple[RuleResult, ...]
    kind: Literal["model"] = "model"

    @property
    def status(self) -> Status:
        return "fail" if any(r.status == "fail" for r in self.results) else "pass"


def check_model(
    result: Any = None,
    *,
    n_obs: int | None = None,
    n_params: int | None = None,
    subgroup_sizes: Mapping[str, int] | None = None,
    rules: DisclosureRules | None = None,
    name: str = "model",
) -> ModelCheck:
    """Check a statsmodels result, or (n_obs, n_params[, subgroup_sizes]) counts for other models.

    `subgroup_sizes` maps each subgroup (an indicator's level) to its number of units; from a
    statsmodels result they are read from the 0/1 columns of the design matrix.
    """
    rules = rules or DisclosureRules()
    if result is not None:
        df_resid = float(result.df_resid)
        sizes = dict(subgroup_sizes or {}) | indicator_sizes(result)
    elif n_obs is not None and n_params is not None:
        df_resid = float(n_obs - n_params)
        sizes = dict(subgroup_sizes or {})
    else:
        raise ConfigError("check_model needs a fitted result or both n_obs and n_params", where=name)
    return ModelCheck(name=name, results=(_df_result(df_resid, rules), _subgroup_result(sizes, rules)))


def indicator_sizes(result: Any) -> dict[str, int]:
    """For each 0/1 column of a statsmodels design matrix, the smaller of its two sides' unit counts."""
    exog = np.asarray(result.model.exog, dtype=float)
    names = list(getattr(result.model, "exog_names", None) or [f"x{i}" for i in range(exog.shape[1])])
    sizes: dict[str, int] = {}
    for position, column in enumerate(exog.T):
        values = set(np.unique(column).tolist())
        if values <= {0.0, 1.0} and len(values) == 2:
            ones = int(column.sum())
            sizes[str(names[position])] = min(ones, len(column) - ones)
    return sizes


def _df_result(df_resid: float, rules: DisclosureRules) -> RuleResult:
    passed = df_resid >= rules.min_residual_df
    return RuleResult(
        "residual degrees of freedom",
        "pass" if passed else "fail",
        f"{df_resid:g} residual degrees of freedom (at least {rules.min_residual_df} needed)",
    )


def _subgroup_result(sizes: Mapping[str, int], rules: DisclosureRules) -> RuleResult:
    small = tuple(sorted(name for name, size in sizes.items() if size < rules.min_model_subgroup))
    detail = (
        f"{len(sizes)} subgroup indicators checked; each needs at least {rules.min_model_subgroup} units"
        + (" on each side" if sizes else "")
    )
    return RuleResult("no single-unit subgroups", "fail" if small else "pass", detail, small)
