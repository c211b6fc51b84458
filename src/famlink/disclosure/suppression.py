"""Secondary (complementary) suppression on a table with margins.

Why famlink has its own engine: no maintained Python library does secondary suppression and
differencing checks together, nor proves its suppression with an exact interval bound. ACRO
(AI-SDC/ACRO) applies threshold, N-K and p% rules cell by cell and leaves the totals in place, so a
suppressed cell can be recovered by subtraction; sdcTable and τ-ARGUS do secondary suppression
properly but are R and Java programs that cannot run inside famlink's research store, and their
runtimes are not ours to vendor; tables of overlapping populations ("all councils" and "all but
one") are left to the user there. The method here is the classical heuristic those tools also offer,
closed by an exact check:

1. every row or column (margins included) holding a suppressed cell must hold at least two, and the
   suppressed interior cells of a line must add up to at least the threshold, so that their total
   (which the margin gives away) is not itself a small count; the smallest eligible cell is added
   until nothing changes (a fixed point);
2. an LP (`intervals.attacker_intervals`) then bounds each suppressed cell from everything published;
   for the first cell still too well pinned down, the smallest eligible cell in its row or column is
   added (one at a time, which hides fewer cells than adding one per failing cell)
   and step 1 runs again. Suppression only grows, so the loop ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

from famlink.disclosure.intervals import BoolGrid, FloatGrid
from famlink.errors import DisclosureError

Cell = tuple[int, int]
#: Given the current suppression, a cell whose protection is still insufficient (or None).
FailureCheck = Callable[[BoolGrid], Cell | None]


def grid_lines(shape: tuple[int, int]) -> Iterator[list[Cell]]:
    """Every row and column of the grid, margins included: the linear relations a reader can use."""
    n_rows, n_cols = shape
    for i in range(n_rows):
        yield [(i, j) for j in range(n_cols)]
    for j in range(n_cols):
        yield [(i, j) for i in range(n_rows)]


def is_margin(cell: Cell, shape: tuple[int, int]) -> bool:
    """True for the total row and the total column."""
    return cell[0] == shape[0] - 1 or cell[1] == shape[1] - 1


def complete_suppression(
    values: FloatGrid,
    primary: BoolGrid,
    eligible: BoolGrid,
    *,
    line_floor: float,
    first_failure: FailureCheck,
) -> BoolGrid:
    """Grow `primary` into a suppression pattern that `first_failure` finds nothing wrong with."""
    suppressed = primary.copy()
    while True:
        _enforce_line_rules(values, suppressed, eligible, line_floor)
        failing = first_failure(suppressed)
        if failing is None:
            return suppressed
        if not _add_complements(values, suppressed, eligible, [failing]):
            raise DisclosureError(
                "no pattern of suppression protects this table (every eligible cell is already hidden)",
                fix="aggregate categories, or declare fewer structural zeros",
            )


def _enforce_line_rules(values: FloatGrid, suppressed: BoolGrid, eligible: BoolGrid, floor: float) -> None:
    changed = True
    while changed:
        changed = False
        for line in grid_lines(suppressed.shape):
            if _line_needs_more(values, suppressed, line, floor):
                cell = _cheapest(values, suppressed, eligible, line)
                if cell is not None:
                    suppressed[cell] = True
                    changed = True


def _line_needs_more(values: FloatGrid, suppressed: BoolGrid, line: list[Cell], floor: float) -> bool:
    hidden = [c for c in line if suppressed[c]]
    if not hidden:
        return False
    if len(hidden) < 2:
        return True
    total_cell = line[-1]
    if suppressed[total_cell]:
        return False
    return float(sum(values[c] for c in hidden)) < floor


def _cheapest(values: FloatGrid, suppressed: BoolGrid, eligible: BoolGrid, cells: list[Cell]) -> Cell | None:
    """The candidate losing least information: interior before margins, then one whose own row and
    column already hold a suppression (so it closes a pattern rather than opening a new line that will
    need its own complement), then the smallest value."""
    candidates = [c for c in cells if eligible[c] and not suppressed[c]]
    if not candidates:
        return None
    shape = suppressed.shape

    def opened_lines(cell: Cell) -> int:
        return int(not suppressed[cell[0], :].any()) + int(not suppressed[:, cell[1]].any())

    return min(candidates, key=lambda c: (is_margin(c, shape), opened_lines(c), float(values[c]), c))


def _add_complements(
    values: FloatGrid, suppressed: BoolGrid, eligible: BoolGrid, failing: list[Cell]
) -> bool:
    added = False
    n_rows, n_cols = suppressed.shape
    for cell in failing:
        neighbours = [(cell[0], j) for j in range(n_cols)] + [(i, cell[1]) for i in range(n_rows)]
        choice = _cheapest(values, suppressed, eligible, neighbours)
        if choice is None:
            everywhere = [(int(i), int(j)) for i, j in zip(*np.nonzero(eligible & ~suppressed), strict=True)]
            choice = _cheapest(values, suppressed, eligible, everywhere)
        if choice is not None:
            suppressed[choice] = True
            added = True
    return added


def whole_grid(values: NDArray[np.float64]) -> FloatGrid:
    """Append row, column and grand totals to an interior grid of values."""
    n_rows, n_cols = values.shape
    grid = np.zeros((n_rows + 1, n_cols + 1))
    grid[:n_rows, :n_cols] = values
    grid[:n_rows, n_cols] = values.sum(axis=1)
    grid[n_rows, :n_cols] = values.sum(axis=0)
    grid[n_rows, n_cols] = values.sum()
    return grid
