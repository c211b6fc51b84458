"""Spec tests for magnitude tables (threshold, N-K dominance, p% rule) and model checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from famlink.disclosure import DisclosureRules, attacker_intervals, check_magnitude_table, check_model
from famlink.errors import ConfigError, InputFileError

C = "[c]"


def contributions(cells: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    """One row per contributor: (council, group) -> the values its contributors bring."""
    rows = [
        (la, group, f"{la}-{group}-{k}", value)
        for (la, group), values in cells.items()
        for k, value in enumerate(values)
    ]
    return pd.DataFrame(rows, columns=["la", "group", "family", "days"])


EVEN = [10.0] * 12


def statuses(table: object) -> dict[str, tuple[str, ...]]:
    return {r.rule: r.cells for r in table.results}  # type: ignore[attr-defined]


def test_a_cell_dominated_by_two_contributors_is_hidden_with_its_complements() -> None:
    # LA01/x: 1000 + 50 of 1150 = 91% > 90%; the rest (100) is not under 10% of 1000, so p% is quiet.
    data = contributions(
        {
            ("LA01", "x"): [1000.0, 50.0] + [10.0] * 10,
            ("LA01", "y"): EVEN,
            ("LA02", "x"): EVEN,
            ("LA02", "y"): EVEN,
        }
    )
    table = check_magnitude_table(data, "la", "group", "days", unit="family")
    assert statuses(table)["N-K dominance"] == ("LA01 / x",)
    assert statuses(table)["p% rule"] == ()
    assert table.to_frame().to_numpy().tolist() == [[C, C, 1270], [C, C, 240], [1270, 240, 1510]]


def test_the_p_percent_rule_catches_what_dominance_with_a_high_k_lets_through() -> None:
    rules = DisclosureRules(dominance_k=0.99)
    data = contributions(
        {
            ("LA01", "x"): [1000.0, 10.0] + [10.0] * 9,
            ("LA01", "y"): EVEN,
            ("LA02", "x"): EVEN,
            ("LA02", "y"): EVEN,
        }
    )
    table = check_magnitude_table(data, "la", "group", "days", rules, unit="family")
    assert statuses(table)["p% rule"] == ("LA01 / x",)
    assert statuses(table)["N-K dominance"] == ()


def test_a_cell_with_fewer_contributors_than_the_threshold_is_hidden() -> None:
    data = contributions(
        {("LA01", "x"): [50.0] * 5, ("LA01", "y"): EVEN, ("LA02", "x"): EVEN, ("LA02", "y"): EVEN}
    )
    table = check_magnitude_table(data, "la", "group", "days")
    assert statuses(table)["threshold"] == ("LA01 / x",)
    assert table.to_frame().iloc[0, 0] == C


def test_a_familys_several_rows_count_as_one_contribution_when_a_unit_is_given() -> None:
    data = contributions({("LA01", "x"): EVEN, ("LA01", "y"): EVEN, ("LA02", "x"): EVEN, ("LA02", "y"): EVEN})
    data.loc[data["la"] == "LA02", "family"] = "one-family"
    per_row = check_magnitude_table(data, "la", "group", "days")
    per_family = check_magnitude_table(data, "la", "group", "days", unit="family")
    assert statuses(per_row)["threshold"] == ()
    assert set(statuses(per_family)["threshold"]) >= {"LA02 / x", "LA02 / y"}


def test_a_sensitive_sum_cannot_be_narrowed_to_within_p_percent_of_its_largest_contribution() -> None:
    data = contributions(
        {
            ("LA01", "x"): [1000.0, 50.0] + [10.0] * 10,
            ("LA01", "y"): EVEN,
            ("LA02", "x"): EVEN,
            ("LA02", "y"): EVEN,
        }
    )
    table = check_magnitude_table(data, "la", "group", "days", unit="family")
    totals = np.where(table.suppressed, 0.0, table.published)
    bounds = attacker_intervals(totals, totals, table.suppressed)
    assert bounds.low[0, 0] <= 1150 - 100 and bounds.high[0, 0] >= 1150 + 100


def test_negative_contributions_are_refused_with_the_row_named() -> None:
    data = contributions({("LA01", "x"): [5.0, -1.0]})
    with pytest.raises(InputFileError, match="non-negative") as err:
        check_magnitude_table(data, "la", "group", "days")
    assert err.value.where == "row 2, column days"


def _ols(n: int, k: int, seed: int = 0) -> object:
    rng = np.random.default_rng(seed)
    x = sm.add_constant(rng.normal(size=(n, k - 1)))
    return sm.OLS(rng.normal(size=n), x).fit()


def test_a_model_with_ten_residual_degrees_of_freedom_passes() -> None:
    assert check_model(_ols(13, 3)).status == "pass"


def test_a_model_with_nine_residual_degrees_of_freedom_fails() -> None:
    check = check_model(_ols(12, 3))
    assert check.status == "fail"
    assert check.results[0].status == "fail"


def test_an_indicator_held_by_a_single_unit_fails_the_model() -> None:
    rng = np.random.default_rng(1)
    lone = np.zeros(40)
    lone[7] = 1.0
    x = sm.add_constant(np.column_stack([rng.normal(size=40), lone]))
    check = check_model(sm.OLS(rng.normal(size=40), x).fit(), name="lone")
    assert check.results[1].status == "fail"
    assert check.results[1].cells == ("x2",)


def test_counts_can_stand_in_for_a_fitted_model() -> None:
    assert check_model(n_obs=30, n_params=5).status == "pass"
    assert check_model(n_obs=30, n_params=5, subgroup_sizes={"LA09": 1}).status == "fail"
    with pytest.raises(ConfigError):
        check_model(n_obs=30)
