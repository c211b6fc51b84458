"""Frequency tables (counts of people by category): threshold, zeros, secondary suppression, rounding.

What a reader sees: counts below the threshold (and zeros, unless declared structural or the rules say
zeros are safe) as `[c]`, enough further cells hidden that none of those can be worked out from the
rest, and every other count, totals included, rounded to the base. Totals are computed from the
*unrounded* counts and then protected like any other cell, so a total never exposes a hidden cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from famlink.disclosure.intervals import BoolGrid, FloatGrid, Intervals, IntervalSolver
from famlink.disclosure.results import ProtectedTable, RuleResult
from famlink.disclosure.rules import DisclosureRules
from famlink.disclosure.suppression import Cell, complete_suppression, whole_grid
from famlink.errors import InputFileError

MISSING_LABEL = "(missing)"
ONE_WAY_COLUMN = "count"
_TOLERANCE = 1e-6


def round_to_base(values: FloatGrid, base: int) -> FloatGrid:
    """Round whole counts to the nearest multiple of `base`, halves up (12 -> 10, 13 -> 15)."""
    counts = np.asarray(values, dtype=np.int64)
    return np.asarray(((2 * counts + base) // (2 * base)) * base, dtype=float)


def protect_frequency_table(
    data: pd.DataFrame,
    rows: str,
    cols: str | None = None,
    rules: DisclosureRules | None = None,
    *,
    name: str | None = None,
    margins: bool = True,
    structural_zeros: Iterable[tuple[str, str]] = (),
) -> ProtectedTable:
    """Count `data` (one row per person or unit) by `rows` (and `cols`) and protect the table."""
    require_frame_columns(data, [rows] if cols is None else [rows, cols])
    row_values = _labels(data[rows])
    if cols is None:
        counts = row_values.value_counts().to_frame(ONE_WAY_COLUMN)
    else:
        counts = pd.crosstab(row_values, _labels(data[cols]))
        counts = counts[natural_order(counts.columns)]
    counts = counts.loc[natural_order(counts.index)]
    return protect_counts(
        counts,
        rules,
        name=name or (rows if cols is None else f"{rows} by {cols}"),
        row_var=rows,
        col_var=cols,
        margins=margins,
        structural_zeros=structural_zeros,
    )


def protect_counts(
    counts: pd.DataFrame,
    rules: DisclosureRules | None = None,
    *,
    name: str,
    row_var: str,
    col_var: str | None,
    margins: bool = True,
    structural_zeros: Iterable[tuple[str, str]] = (),
    extra_primary: Sequence[Cell] = (),
    published_elsewhere: Sequence[Cell] = (),
) -> ProtectedTable:
    """Protect an already counted table (index = row categories, columns = column categories).

    `extra_primary` cells are suppressed whatever their size (the differencing check uses it);
    `published_elsewhere` cells are already public in another table of the release, so hiding them
    here would protect nothing: they are never chosen as complements.
    """
    rules = rules or DisclosureRules()
    interior = counts.to_numpy(dtype=float)
    if np.any(interior < 0) or np.any(interior != np.round(interior)):
        raise InputFileError("a frequency table must hold whole, non-negative counts", where=name)
    row_labels = tuple(str(v) for v in counts.index)
    col_labels = (ONE_WAY_COLUMN,) if col_var is None else tuple(str(v) for v in counts.columns)
    structural = _structural_grid(row_labels, col_labels, structural_zeros, interior, name)
    true = whole_grid(interior)
    primary = _primary(true, structural, rules)
    for cell in extra_primary:
        primary[cell] = True
    known_low, known_high = known_bounds(true, structural, rules)

    solvers: list[IntervalSolver] = []

    def first_failure(suppressed: BoolGrid) -> Cell | None:
        solvers[:] = [IntervalSolver(known_low, known_high, suppressed)]
        return first_unprotected(solvers[0], hidden_cells_small_first(suppressed, primary), true, rules)

    suppressed = complete_suppression(
        true,
        primary,
        ~structural & ~_mask(true.shape, published_elsewhere),
        line_floor=rules.threshold,
        first_failure=first_failure,
    )
    intervals = solvers[0].intervals()
    published = np.where(suppressed, np.nan, round_to_base(true, rules.rounding_base))
    table = ProtectedTable(
        name=name,
        kind="frequency",
        row_var=row_var,
        col_var=col_var,
        row_labels=row_labels,
        col_labels=col_labels,
        published=published,
        suppressed=suppressed,
        primary=primary,
        show_margins=margins,
        rules=rules,
        results=(),
        true_counts=true,
    )
    results = _rule_results(table, true, structural, intervals, extra_primary)
    return replace(table, results=results)


def known_bounds(
    true: FloatGrid, structural: BoolGrid, rules: DisclosureRules
) -> tuple[FloatGrid, FloatGrid]:
    """What a reader who knows the rules can say of each cell if it is published: its rounded value
    spans a range, and a published count is either at least the threshold or a permitted zero."""
    base = rules.rounding_base
    shown = round_to_base(true, base)
    low = np.maximum(shown - base // 2, 0.0)
    high = shown + (base + 1) // 2 - 1
    zero_allowed = not rules.zeros_are_disclosive
    low = np.where((low == 0) & zero_allowed, 0.0, np.maximum(low, rules.threshold))
    high = np.where(high < rules.threshold, 0.0, high)
    low = np.where(structural, 0.0, low)
    high = np.where(structural, 0.0, high)
    return low, high


def hidden_cells_small_first(suppressed: BoolGrid, primary: BoolGrid) -> list[Cell]:
    """Suppressed cells, primary ones first: they are the ones most likely to be under-protected."""
    cells = [(int(i), int(j)) for i, j in zip(*np.nonzero(suppressed), strict=True)]
    return sorted(cells, key=lambda c: (not primary[c], c))


def needed_upper_bound(value: float, rules: DisclosureRules) -> float:
    """How high a reader must be unable to rule out for a hidden cell holding `value`.

    A small count (or a zero, where zeros are disclosive) must look as if it could be at least the
    threshold: an upper bound under it tells the reader the cell is small, which is what suppression
    hides. Any other hidden cell must merely not be pinned from above (value + 1).
    """
    small = 0 < value < rules.threshold or (value == 0 and rules.zeros_are_disclosive)
    return float(rules.threshold) if small else value + 1


def first_unprotected(
    solver: IntervalSolver, hidden: list[Cell], true: FloatGrid, rules: DisclosureRules
) -> Cell | None:
    """The first hidden cell a reader could pin to one value or show to be under the threshold.

    Upper bounds first: they alone settle a small cell (its true value is at most threshold - 1, so an
    upper bound at the threshold also means the interval is not a single value), and most failures
    show there. Lower bounds are then needed only for the width of the other cells (and the log).
    """
    for cell in hidden:
        if solver.upper(cell) < needed_upper_bound(true[cell], rules) - _TOLERANCE:
            return cell
    for cell in hidden:
        if solver.high[cell] - solver.lower(cell) < 1 - _TOLERANCE:
            return cell
    return None


def require_frame_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    """Refuse a frame that lacks a column the table needs, naming them and the columns it has."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InputFileError(
            f"missing column(s) for the table: {', '.join(missing)}",
            where="the data given to the disclosure check",
            fix=f"choose from: {', '.join(map(str, data.columns))}",
        )


def natural_order(labels: Iterable[object]) -> list[object]:
    """Categories in reading order: numbers by value (2 before 10), then text, missing last."""

    def key(label: object) -> tuple[int, float, str]:
        text = str(label)
        if text == MISSING_LABEL:
            return (2, 0.0, text)
        try:
            return (0, float(text), text)
        except ValueError:
            return (1, 0.0, text)

    return sorted(labels, key=key)


def _labels(values: pd.Series) -> pd.Series:
    """Categories as text; whole numbers stored as floats (a column with gaps) print as 2, not 2.0."""
    if pd.api.types.is_float_dtype(values) and bool((values.dropna() % 1 == 0).all()):
        values = values.astype("Int64")
    return values.astype("string").fillna(MISSING_LABEL)


def _primary(true: FloatGrid, structural: BoolGrid, rules: DisclosureRules) -> BoolGrid:
    small = (true > 0) & (true < rules.threshold)
    zero = (true == 0) & rules.zeros_are_disclosive
    return np.asarray((small | zero) & ~structural, dtype=bool)


def _structural_grid(
    row_labels: tuple[str, ...],
    col_labels: tuple[str, ...],
    cells: Iterable[tuple[str, str]],
    interior: FloatGrid,
    name: str,
) -> BoolGrid:
    grid = np.zeros((len(row_labels) + 1, len(col_labels) + 1), dtype=bool)
    for row, col in cells:
        if row not in row_labels or col not in col_labels:
            raise InputFileError(
                f"structural zero names a category the table lacks: {row} / {col}", where=name
            )
        i, j = row_labels.index(row), col_labels.index(col)
        if interior[i, j] != 0:
            raise InputFileError(f"cell declared a structural zero is not zero: {row} / {col}", where=name)
        grid[i, j] = True
    return grid


def _rule_results(
    table: ProtectedTable,
    true: FloatGrid,
    structural: BoolGrid,
    intervals: Intervals,
    extra_primary: Sequence[Cell],
) -> tuple[RuleResult, ...]:
    rules = table.rules
    small = [table.cell_label(c) for c in _cells(table.primary) if c not in set(extra_primary)]
    secondary = [table.cell_label(c) for c in _cells(table.suppressed & ~table.primary)]
    zeros = "zeros disclosive" if rules.zeros_are_disclosive else "zeros published"
    results = [
        RuleResult(
            "threshold",
            "protected" if small else "pass",
            f"cells under {rules.threshold} suppressed ({zeros}; {int(structural.sum())} structural zeros)",
            tuple(small),
        ),
        RuleResult(
            "secondary suppression",
            "protected" if secondary else "pass",
            "complementary cells hidden so no suppressed cell follows from the totals or other cells",
            tuple(secondary),
        ),
        RuleResult(
            "rounding", "protected", f"published counts and totals rounded to base {rules.rounding_base}"
        ),
        interval_result(table, intervals),
    ]
    if extra_primary:
        results.append(
            RuleResult(
                "differencing",
                "protected",
                "cells that would differ from another table of the release by a small group suppressed",
                tuple(table.cell_label(c) for c in extra_primary),
            )
        )
    return tuple(results)


def interval_result(table: ProtectedTable, intervals: Intervals) -> RuleResult:
    """Summarise the LP proof: the narrowest interval and the lowest upper bound of any small cell."""
    hidden = _cells(table.suppressed)
    if not hidden:
        return RuleResult("interval check", "pass", "no cell is suppressed")
    widths = [intervals.high[c] - intervals.low[c] for c in hidden]
    small_highs = [intervals.high[c] for c in hidden if table.primary[c]]
    detail = f"{len(hidden)} suppressed cells; narrowest derivable interval width {min(widths):g}"
    if small_highs:
        detail += f"; every small cell could be as large as {min(small_highs):g} or more"
    return RuleResult("interval check", "pass", detail)


def _mask(shape: tuple[int, ...], cells: Sequence[Cell]) -> BoolGrid:
    grid = np.zeros(shape, dtype=bool)
    for cell in cells:
        grid[cell] = True
    return grid


def _cells(mask: BoolGrid) -> list[Cell]:
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(mask), strict=True)]
