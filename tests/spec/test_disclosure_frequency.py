"""Spec tests for frequency tables: each rule as a small table in and the published table out."""

from __future__ import annotations

import pandas as pd
import pytest

from famlink.disclosure import DisclosureRules, protect_counts, protect_frequency_table, round_to_base
from famlink.errors import ConfigError, InputFileError

C = "[c]"


def published(
    rows: list[str],
    cols: list[str],
    counts: list[list[int]],
    rules: DisclosureRules | None = None,
    **kw: object,
) -> list[list[object]]:
    table = protect_counts(
        pd.DataFrame(counts, index=rows, columns=cols), rules, name="t", row_var="r", col_var="c", **kw
    )
    return table.to_frame().to_numpy().tolist()


def test_a_small_cell_is_hidden_with_complements_in_its_row_and_column_and_the_rest_rounded() -> None:
    # the 4 is primary; 20 (smallest in its row) and 18 (smallest in its column) complement it, and
    # 26 closes the rectangle so that neither complement can be worked out from the totals.
    assert published(["a", "b", "c"], ["x", "y", "z"], [[4, 20, 31], [22, 33, 47], [18, 26, 52]]) == [
        [C, C, 30, 55],
        [20, 35, 45, 100],
        [C, C, 50, 95],
        [45, 80, 130, 255],
    ]


def test_totals_are_rounded_from_the_unrounded_counts_not_summed_from_rounded_cells() -> None:
    # 12 + 12 = 24 -> 25, though the rounded cells 10 + 10 would add to 20.
    assert published(["a", "b"], ["x", "y"], [[12, 12], [13, 30]]) == [
        [10, 10, 25],
        [15, 30, 45],
        [25, 40, 65],
    ]


def test_zeros_are_disclosive_by_default() -> None:
    assert published(["a", "b", "c"], ["x", "y"], [[0, 25], [30, 40], [20, 22]]) == [
        [C, C, 25],
        [30, 40, 70],
        [C, C, 40],
        [50, 85, 135],
    ]


def test_zeros_are_published_when_the_rules_say_they_are_safe() -> None:
    rules = DisclosureRules(zeros_are_disclosive=False)
    assert published(["a", "b", "c"], ["x", "y"], [[0, 25], [30, 40], [20, 22]], rules)[0] == [0, 25, 25]


def test_a_structural_zero_is_published_and_never_used_as_a_complement() -> None:
    result = published(
        ["a", "b", "c"], ["x", "y"], [[0, 25], [30, 40], [20, 22]], structural_zeros=[("a", "x")]
    )
    assert result == [[0, 25, 25], [30, 40, 70], [20, 20, 40], [50, 85, 135]]


def test_two_small_cells_adding_to_under_the_threshold_need_a_third_in_their_row() -> None:
    # 3 + 2 = 5: with only those two hidden, row a's total would reveal that 5 people are in x or y.
    result = published(["a", "b", "c"], ["x", "y", "z"], [[3, 2, 40], [22, 33, 47], [18, 26, 52]])
    assert result[0][:3] == [C, C, C]
    assert sum(cell == C for row in result for cell in row) >= 5


def test_a_small_row_total_is_itself_suppressed() -> None:
    result = published(["a", "b", "c"], ["x", "y"], [[4, 3], [30, 40], [20, 22]])
    assert result[0] == [C, C, C]


def test_suppressed_cells_leave_no_single_hidden_cell_in_any_line() -> None:
    table = protect_counts(
        pd.DataFrame([[4, 20, 31], [22, 33, 47], [18, 26, 52]]), name="t", row_var="r", col_var="c"
    )
    for line in [*table.suppressed, *table.suppressed.T]:
        assert line.sum() != 1


def test_a_table_with_no_small_counts_is_only_rounded() -> None:
    assert published(["a", "b"], ["x", "y"], [[11, 19], [23, 47]]) == [
        [10, 20, 30],
        [25, 45, 70],
        [35, 65, 100],
    ]


def test_margins_can_be_left_out_of_the_printed_table() -> None:
    result = published(["a", "b"], ["x", "y"], [[11, 19], [23, 47]], margins=False)
    assert result == [[10, 20], [25, 45]]


def test_a_one_way_table_from_microdata_has_a_count_column_and_a_total_row() -> None:
    data = pd.DataFrame({"council": ["LA01"] * 23 + ["LA02"] * 41 + ["LA03"] * 4})
    frame = protect_frequency_table(data, "council").to_frame()
    assert list(frame.columns) == ["count"]
    assert frame["count"].tolist() == ["[c]", 40, "[c]", 70]  # LA01, the smallest, complements LA03


def test_a_crosstab_of_microdata_counts_missing_values_as_their_own_category() -> None:
    data = pd.DataFrame({"sex": ["F"] * 30 + ["M"] * 30 + [None] * 12, "out": ["y", "n"] * 36})
    frame = protect_frequency_table(data, "sex", "out").to_frame()
    assert "(missing)" in frame.index
    assert frame.loc["Total", "Total"] == 70


@pytest.mark.parametrize(
    ("count", "base", "shown"), [(12, 5, 10), (13, 5, 15), (15, 10, 20), (14, 10, 10), (7, 1, 7)]
)
def test_rounding_is_to_the_nearest_multiple_of_the_base_halves_up(count: int, base: int, shown: int) -> None:
    import numpy as np

    assert round_to_base(np.array([float(count)]), base)[0] == shown


def test_a_missing_column_is_a_clear_input_error() -> None:
    with pytest.raises(InputFileError, match="missing column"):
        protect_frequency_table(pd.DataFrame({"a": [1]}), "a", "b")


def test_negative_or_fractional_counts_are_refused() -> None:
    with pytest.raises(InputFileError):
        protect_counts(pd.DataFrame([[1.5, 20]]), name="t", row_var="r", col_var="c")


@pytest.mark.parametrize(
    "setting", [{"threshold": 0}, {"rounding_base": 0}, {"dominance_k": 1.5}, {"p_percent": 0}, {"colour": 1}]
)
def test_bad_rule_settings_are_config_errors(setting: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        DisclosureRules.from_mapping(setting)


def test_default_rules_are_the_documented_ones() -> None:
    rules = DisclosureRules()
    assert (rules.threshold, rules.zeros_are_disclosive, rules.rounding_base) == (10, True, 5)
    assert (rules.dominance_n, rules.dominance_k, rules.p_percent, rules.min_residual_df) == (2, 0.9, 0.1, 10)


def test_numeric_categories_are_in_numeric_order_and_missing_comes_last() -> None:
    data = pd.DataFrame({"problems_met": [2] * 20 + [10] * 20 + [3] * 20 + [None] * 20})
    frame = protect_frequency_table(data, "problems_met").to_frame()
    assert list(frame.index) == ["2", "3", "10", "(missing)", "Total"]
