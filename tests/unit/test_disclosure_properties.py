"""Property tests: for random tables, nothing published reveals a count below the threshold.

The check here is deliberately independent of famlink's own engine: it starts from the *printed*
table only (what a reader has), turns each printed number into the range of true values consistent
with it under the published rules, and solves its own LP over the interior cells (inequalities on row,
column and grand totals rather than the engine's equality-with-margin-variables form) to bound every
suppressed cell and every suppressed total.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from famlink.disclosure import (
    DisclosureRules,
    ProtectedTable,
    Release,
    check_magnitude_table,
    differencing_conflicts,
    protect_counts,
)
from famlink.disclosure.release import published_elsewhere

C = "[c]"
EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def count_tables(draw: st.DrawFn) -> np.ndarray:
    n_rows = draw(st.integers(2, 4))
    n_cols = draw(st.integers(1, 4))
    cell = st.one_of(st.integers(0, 12), st.integers(10, 150))
    return np.array(draw(st.lists(cell, min_size=n_rows * n_cols, max_size=n_rows * n_cols))).reshape(
        n_rows, n_cols
    )


rule_sets = st.builds(
    DisclosureRules,
    threshold=st.sampled_from([5, 10]),
    rounding_base=st.sampled_from([1, 3, 5, 10]),
    zeros_are_disclosive=st.booleans(),
)


def protect(counts: np.ndarray, rules: DisclosureRules, name: str = "t") -> ProtectedTable:
    frame = pd.DataFrame(counts, index=[f"r{i}" for i in range(counts.shape[0])])
    frame.columns = [f"c{j}" for j in range(counts.shape[1])]
    return protect_counts(frame, rules, name=name, row_var="r", col_var="c", margins=True)


def reader_range(printed: object, rules: DisclosureRules) -> tuple[float, float]:
    """True values consistent with a printed number: its rounding range, within what may be printed."""
    value = int(printed)  # type: ignore[call-overload]
    base = rules.rounding_base
    candidates = [
        x
        for x in range(max(0, value - base), value + base + 1)
        if (2 * x + base) // (2 * base) * base == value
        and (x >= rules.threshold or (x == 0 and not rules.zeros_are_disclosive))
    ]
    assert candidates, "a printed value no allowed count rounds to"
    return float(min(candidates)), float(max(candidates))


def reader_bounds(
    table: ProtectedTable,
    printed_range: Callable[[object, DisclosureRules], tuple[float, float]] | None = None,
) -> list[tuple[tuple[int, int], float, float]]:
    """(cell, min, max) for every suppressed cell of the full grid, from the printed table alone."""
    printed_range = printed_range or reader_range
    grid = table.to_frame().to_numpy()
    n_rows, n_cols = len(table.row_labels), len(table.col_labels)
    if table.col_var is None:  # a one-way table prints no total column
        grid = np.column_stack([grid, grid[:, 0]])
    n_vars = n_rows * n_cols
    rows_ub: list[np.ndarray] = []
    rhs_ub: list[float] = []
    bounds: list[tuple[float, float | None]] = [(0.0, None)] * n_vars
    objectives: dict[tuple[int, int], np.ndarray] = {}
    for i in range(n_rows + 1):
        for j in range(n_cols + 1):
            weights = np.zeros((n_rows, n_cols))
            weights[i if i < n_rows else slice(None), j if j < n_cols else slice(None)] = 1.0
            weights = weights.ravel()
            if grid[i, j] == C:
                objectives[(i, j)] = weights
                continue
            low, high = printed_range(grid[i, j], table.rules)
            rows_ub += [weights, -weights]
            rhs_ub += [high, -low]
    a_ub = np.array(rows_ub) if rows_ub else None
    b_ub = np.array(rhs_ub) if rhs_ub else None
    found = []
    for cell, weights in objectives.items():
        lowest = linprog(weights, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        highest = linprog(-weights, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        assert lowest.status == 0, "the printed table is inconsistent"
        found.append((cell, lowest.fun, np.inf if highest.status == 3 else -highest.fun))
    return found


@EXAMPLES
@given(count_tables(), rule_sets)
def test_no_printed_number_is_a_small_count_and_every_count_is_rounded_to_the_base(
    counts: np.ndarray, rules: DisclosureRules
) -> None:
    table = protect(counts, rules)
    printed = table.to_frame().to_numpy()
    truth = table.true_counts
    for (i, j), shown in np.ndenumerate(printed):
        if shown == C:
            continue
        assert shown % rules.rounding_base == 0
        assert abs(shown - truth[i, j]) <= rules.rounding_base / 2
        assert truth[i, j] >= rules.threshold or (truth[i, j] == 0 and not rules.zeros_are_disclosive)
    small = (truth > 0) & (truth < rules.threshold)
    assert all(printed[i, j] == C for i, j in zip(*np.nonzero(small), strict=True))


@EXAMPLES
@example(
    counts=np.array([[0, 0, 1], [5, 0, 1], [0, 0, 14]]),
    rules=DisclosureRules(threshold=5, rounding_base=1, zeros_are_disclosive=False),
)
@given(count_tables(), rule_sets)
def test_no_suppressed_cell_or_total_can_be_pinned_down_or_shown_small(
    counts: np.ndarray, rules: DisclosureRules
) -> None:
    table = protect(counts, rules)
    truth = table.true_counts
    for cell, low, high in reader_bounds(table):
        assert high - low >= 1 - 1e-6, f"suppressed cell {cell} can be worked out exactly"
        assert low <= truth[cell] + 1e-6 <= high + 2e-6
        # A hidden true zero chosen as a complement, where zeros are not disclosive, holds nobody:
        # it must not be pinned down (checked above), but showing it is "0 to threshold-1" reveals no one.
        small = 0 < truth[cell] < rules.threshold or (truth[cell] == 0 and rules.zeros_are_disclosive)
        if small:
            assert high >= rules.threshold - 1e-6, f"small cell {cell} is shown to be below the threshold"


@EXAMPLES
@given(count_tables(), rule_sets)
def test_no_row_or_column_has_a_single_suppressed_cell(counts: np.ndarray, rules: DisclosureRules) -> None:
    hidden = protect(counts, rules).suppressed
    assert all(line.sum() != 1 for line in [*hidden, *hidden.T])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables(), st.data())
def test_a_table_and_the_same_table_without_a_small_group_never_publish_a_small_difference(
    counts: np.ndarray, data: st.DataObject
) -> None:
    small = np.array(data.draw(st.lists(st.integers(0, 3), min_size=counts.size, max_size=counts.size)))
    rules = DisclosureRules()
    release = Release("property", rules)
    everyone = release.add_table(protect(counts + small.reshape(counts.shape), rules, "all"))
    without = release.add_table(protect(counts, rules, "all but a few"))
    assert differencing_conflicts(without, [everyone]) == set()
    assert not any(without.suppressed[cell] for cell in published_elsewhere(without, [everyone]))
    for cell, low, high in reader_bounds(without):
        assert high - low >= 1 - 1e-6, f"cell {cell} of the second table can be worked out exactly"


@st.composite
def contributions(draw: st.DrawFn) -> pd.DataFrame:
    n_rows, n_cols = draw(st.integers(2, 3)), draw(st.integers(2, 3))
    rows = []
    for i in range(n_rows):
        for j in range(n_cols):
            values = draw(st.lists(st.integers(1, 1000), min_size=1, max_size=14))
            rows += [(f"r{i}", f"c{j}", float(v)) for v in values]
    return pd.DataFrame(rows, columns=["r", "c", "value"])


def exactly(printed: object, rules: DisclosureRules) -> tuple[float, float]:
    return float(printed), float(printed)  # type: ignore[arg-type]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contributions())
def test_every_sensitive_sum_is_hidden_and_cannot_be_narrowed_to_within_p_percent(data: pd.DataFrame) -> None:
    rules = DisclosureRules()
    table = check_magnitude_table(data, "r", "c", "value", rules)
    printed = table.to_frame()
    bounds = {cell: (low, high) for cell, low, high in reader_bounds(table, exactly)}
    for (row, col), cell in data.groupby(["r", "c"])["value"]:
        ordered = [*sorted(cell, reverse=True), 0.0]
        total, first, second = sum(ordered), ordered[0], ordered[1]
        sensitive = (
            len(cell) < rules.threshold
            or first + second > rules.dominance_k * total
            or total - first - second < rules.p_percent * first
        )
        if not sensitive:
            continue
        assert printed.loc[row, col] == C
        low, high = bounds[(table.row_labels.index(row), table.col_labels.index(col))]
        assert low <= total - rules.p_percent * first + 1e-6
        assert high >= total + rules.p_percent * first - 1e-6
