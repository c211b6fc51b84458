"""What an intruder can work out about each suppressed cell, by linear programming.

A published table with margins is a set of linear equations: every row of interior cells sums to its
row total, every column to its column total, and the totals to the grand total. Published cells are
known only to lie in an interval (rounding to base 5 turns 15 into "13 to 17"); suppressed cells are
only known to be non-negative. Minimising and maximising each suppressed cell subject to all of that
(the attacker's problem in τ-ARGUS and sdcTable) gives the tightest interval anyone can derive from the
table alone, by subtraction or by any cleverer combination. famlink uses the result both to choose
complementary suppressions and, in tests, to prove that no suppressed small count can be recovered.

The LP ignores integrality, but for a two-way table with its margins the constraint matrix is that of
a network (totally unimodular), so with whole-number bounds every extreme point is whole: the LP
interval is exactly the interval of whole counts a reader could derive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog

FloatGrid = NDArray[np.float64]
BoolGrid = NDArray[np.bool_]


@dataclass(frozen=True)
class Intervals:
    """Per cell of the grid, the smallest and largest value consistent with what is published."""

    low: FloatGrid
    high: FloatGrid


def margin_equations(shape: tuple[int, int]) -> NDArray[np.float64]:
    """Rows of A in A x = 0 for a grid whose last row and column hold the totals (x is row-major)."""
    n_rows, n_cols = shape
    equations: list[NDArray[np.float64]] = []
    for i in range(n_rows):
        eq = np.zeros(shape)
        eq[i, : n_cols - 1] = 1.0
        eq[i, n_cols - 1] = -1.0
        equations.append(eq.ravel())
    for j in range(n_cols):
        eq = np.zeros(shape)
        eq[: n_rows - 1, j] = 1.0
        eq[n_rows - 1, j] = -1.0
        equations.append(eq.ravel())
    return np.vstack(equations)


class IntervalSolver:
    """Bounds suppressed cells one at a time, so a caller looking for the first unprotected cell can stop
    there instead of solving two LPs for every hidden cell."""

    def __init__(self, known_low: FloatGrid, known_high: FloatGrid, suppressed: BoolGrid) -> None:
        self.shape = suppressed.shape
        self.a_eq = margin_equations(self.shape)
        self.b_eq = np.zeros(self.a_eq.shape[0])
        self.bounds: list[tuple[float, float | None]] = [
            (0.0, None) if hidden else (float(lo), float(hi))
            for hidden, lo, hi in zip(suppressed.ravel(), known_low.ravel(), known_high.ravel(), strict=True)
        ]
        self.low = known_low.astype(float).copy()
        self.high = known_high.astype(float).copy()

    def upper(self, cell: tuple[int, int]) -> float:
        """The largest value of `cell` consistent with what is published (inf if unbounded)."""
        flat = int(np.ravel_multi_index(cell, self.shape))
        self.high[cell] = -_extreme(self.a_eq, self.b_eq, self.bounds, flat, sense=-1.0)
        return float(self.high[cell])

    def lower(self, cell: tuple[int, int]) -> float:
        """The smallest value of `cell` consistent with what is published."""
        flat = int(np.ravel_multi_index(cell, self.shape))
        self.low[cell] = _extreme(self.a_eq, self.b_eq, self.bounds, flat, sense=1.0)
        return float(self.low[cell])

    def intervals(self) -> Intervals:
        """Every cell's interval so far (published cells keep their known interval)."""
        return Intervals(low=self.low.copy(), high=self.high.copy())


def attacker_intervals(known_low: FloatGrid, known_high: FloatGrid, suppressed: BoolGrid) -> Intervals:
    """Bound every suppressed cell given the published cells' intervals and the margin equations.

    `known_low`/`known_high` describe what a reader knows of each published cell; suppressed cells are
    free non-negative unknowns. Unsuppressed cells get their known interval back unchanged.
    """
    solver = IntervalSolver(known_low, known_high, suppressed)
    for i, j in zip(*np.nonzero(suppressed), strict=True):
        solver.lower((int(i), int(j)))
        solver.upper((int(i), int(j)))
    return solver.intervals()


def _extreme(
    a_eq: NDArray[np.float64],
    b_eq: NDArray[np.float64],
    bounds: list[tuple[float, float | None]],
    index: int,
    *,
    sense: float,
) -> float:
    """Minimise `sense * x[index]`; an unbounded maximum comes back as -inf (so high = +inf)."""
    objective = np.zeros(a_eq.shape[1])
    objective[index] = sense
    result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if result.status == 3:
        return -np.inf
    if result.status != 0:
        raise RuntimeError(f"interval LP failed with status {result.status}")
    return float(result.fun)
