"""Magnitude tables (sums of a value, e.g. days in custody or benefit paid, by category).

A sum can expose one contributor even when many people contribute: if one family accounts for 95% of a
council's total, the total *is* that family's figure. Three primary rules find such cells: too few
contributors (the threshold), N-K dominance (the N largest contributors exceed K of the total) and the
p% rule (the rest of the cell, apart from the two largest, is under p% of the largest, so the second
largest contributor could estimate the largest to within p%). Sensitive cells are suppressed, then
complementary cells are chosen until the LP shows each sensitive cell could lie anywhere within
p% of its largest contribution either side — the protection interval τ-ARGUS uses for the p% rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from famlink.disclosure.frequency import hidden_cells_small_first, require_frame_columns
from famlink.disclosure.intervals import BoolGrid, FloatGrid, Intervals, IntervalSolver
from famlink.disclosure.results import ProtectedTable, RuleResult
from famlink.disclosure.rules import DisclosureRules
from famlink.disclosure.suppression import Cell, complete_suppression
from famlink.errors import InputFileError

_TOLERANCE = 1e-6
_ALL = "__famlink_all__"


@dataclass(frozen=True)
class CellStats:
    """Per cell of the grid (margins included): contributor count, total, largest two contributions."""

    count: FloatGrid
    total: FloatGrid
    first: FloatGrid
    second: FloatGrid
    top_n: FloatGrid


def check_magnitude_table(
    data: pd.DataFrame,
    rows: str,
    cols: str | None,
    value: str,
    rules: DisclosureRules | None = None,
    *,
    unit: str | None = None,
    name: str | None = None,
    margins: bool = True,
) -> ProtectedTable:
    """Sum `value` by `rows` (and `cols`), applying threshold, N-K and p% rules and secondary suppression.

    `unit` names the column identifying a contributor (e.g. family_id): a family's several rows then
    count as one contribution, which is what dominance is about. Without it each row is a contributor.
    """
    rules = rules or DisclosureRules()
    needed = [rows, value] + ([cols] if cols else []) + ([unit] if unit else [])
    require_frame_columns(data, needed)
    frame = _contributions(data, rows, cols, value, unit)
    row_labels = tuple(sorted(frame["_row"].unique()))
    col_labels = ("sum",) if cols is None else tuple(sorted(frame["_col"].unique()))
    stats = cell_stats(frame, row_labels, col_labels, rules.dominance_n)
    too_few = stats.count < rules.threshold
    dominated = stats.top_n > rules.dominance_k * stats.total
    p_rule = (stats.total - stats.first - stats.second) < rules.p_percent * stats.first
    primary = np.asarray((too_few | dominated | p_rule) & (stats.count > 0), dtype=bool)
    protection = rules.p_percent * stats.first

    solvers: list[IntervalSolver] = []

    def first_failure(suppressed: BoolGrid) -> Cell | None:
        solvers[:] = [IntervalSolver(stats.total, stats.total, suppressed)]
        hidden = hidden_cells_small_first(suppressed, primary)
        return _first_unprotected(solvers[0], hidden, stats.total, np.where(primary, protection, 0.0))

    suppressed = complete_suppression(
        stats.total, primary, stats.count >= 0, line_floor=0.0, first_failure=first_failure
    )
    intervals = solvers[0].intervals()
    table = ProtectedTable(
        name=name or f"sum of {value} by {rows}" + (f" by {cols}" if cols else ""),
        kind="magnitude",
        row_var=rows,
        col_var=cols,
        row_labels=row_labels,
        col_labels=col_labels,
        published=np.where(suppressed, np.nan, np.round(stats.total, 2)),
        suppressed=suppressed,
        primary=primary,
        show_margins=margins,
        rules=rules,
        results=(),
        measure=value,
        true_counts=stats.count,
    )
    flagged = {"threshold": too_few, "N-K dominance": dominated, "p% rule": p_rule}
    return replace(table, results=_results(table, flagged, intervals))


def _contributions(
    data: pd.DataFrame, rows: str, cols: str | None, value: str, unit: str | None
) -> pd.DataFrame:
    amounts = pd.to_numeric(data[value], errors="coerce")
    if amounts.isna().any():
        bad = int(np.flatnonzero(amounts.isna().to_numpy())[0]) + 1
        raise InputFileError(f"column '{value}' must be numeric", where=f"row {bad}, column {value}")
    if (amounts < 0).any():
        bad = int(np.flatnonzero((amounts < 0).to_numpy())[0]) + 1
        raise InputFileError(
            "magnitude rules need non-negative contributions", where=f"row {bad}, column {value}"
        )
    frame = pd.DataFrame(
        {
            "_row": data[rows].astype("string").fillna("(missing)").to_numpy(),
            "_col": data[cols].astype("string").fillna("(missing)").to_numpy() if cols else "sum",
            "_unit": data[unit].astype("string").to_numpy() if unit else np.arange(len(data)).astype(str),
            "_value": amounts.to_numpy(dtype=float),
        }
    )
    return frame


def cell_stats(
    frame: pd.DataFrame, row_labels: tuple[str, ...], col_labels: tuple[str, ...], top: int
) -> CellStats:
    """Contributor statistics for every interior cell, row and column total and the grand total."""
    shape = (len(row_labels) + 1, len(col_labels) + 1)
    grids = {k: np.zeros(shape) for k in ("count", "total", "first", "second", "top_n")}
    whole = frame.assign(_row_all=_ALL, _col_all=_ALL)
    for row_key, col_key in (
        ("_row", "_col"),
        ("_row", "_col_all"),
        ("_row_all", "_col"),
        ("_row_all", "_col_all"),
    ):
        per_unit = whole.groupby([row_key, col_key, "_unit"], sort=False)["_value"].sum()
        for key, contributions in per_unit.groupby(level=[0, 1], sort=False):
            row, col = str(key[0]), str(key[1])  # type: ignore[index]
            cell = (_position(row, row_labels), _position(col, col_labels))
            ordered = np.sort(contributions.to_numpy())[::-1]
            grids["count"][cell] = len(ordered)
            grids["total"][cell] = ordered.sum()
            grids["first"][cell] = ordered[0]
            grids["second"][cell] = ordered[1] if len(ordered) > 1 else 0.0
            grids["top_n"][cell] = ordered[:top].sum()
    return CellStats(**grids)


def _position(label: str, labels: tuple[str, ...]) -> int:
    return len(labels) if label == _ALL else labels.index(label)


def _first_unprotected(
    solver: IntervalSolver, hidden: list[Cell], total: FloatGrid, needed: FloatGrid
) -> Cell | None:
    """The first hidden cell without `needed` room above and below its true sum, or pinned exactly."""
    for cell in hidden:
        if solver.upper(cell) < total[cell] + needed[cell] - _TOLERANCE:
            return cell
    for cell in hidden:
        low = solver.lower(cell)
        if low > total[cell] - needed[cell] + _TOLERANCE or solver.high[cell] - low < _TOLERANCE:
            return cell
    return None


def _results(
    table: ProtectedTable, flagged: dict[str, np.ndarray], intervals: Intervals
) -> tuple[RuleResult, ...]:
    rules = table.rules
    details = {
        "threshold": f"cells with fewer than {rules.threshold} contributors suppressed",
        "N-K dominance": f"cells where the {rules.dominance_n} largest contributors exceed "
        f"{rules.dominance_k:.0%} of the total suppressed",
        "p% rule": f"cells where the rest is under {rules.p_percent:.0%} of the largest contribution "
        "suppressed",
    }
    results = []
    for rule, mask in flagged.items():
        cells = tuple(
            table.cell_label((int(i), int(j))) for i, j in zip(*np.nonzero(mask & table.primary), strict=True)
        )
        results.append(RuleResult(rule, "protected" if cells else "pass", details[rule], cells))
    secondary = table.suppressed & ~table.primary
    cells = tuple(table.cell_label((int(i), int(j))) for i, j in zip(*np.nonzero(secondary), strict=True))
    results.append(
        RuleResult(
            "secondary suppression",
            "protected" if cells else "pass",
            "complementary cells hidden until each sensitive cell's derivable interval spans "
            f"±{rules.p_percent:.0%} of its largest contribution",
            cells,
        )
    )
    hidden = int(table.suppressed.sum())
    widths = [intervals.high[c] - intervals.low[c] for c in zip(*np.nonzero(table.suppressed), strict=True)]
    detail = f"{hidden} suppressed cells" + (
        f"; narrowest derivable interval width {min(widths):.4g}" if widths else ""
    )
    results.append(RuleResult("interval check", "pass", detail))
    return tuple(results)
