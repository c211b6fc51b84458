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


def attacker_intervals(known_low: FloatGrid, known_high: FloatGrid, suppressed: BoolGrid) -> Intervals:
    """Bound every suppressed cell given the published cells' intervals and the margin equations.

    `known_low`/`known_high` describe what a reader knows of each published cell; suppressed cells are
    free non-negative unknowns. Unsuppressed cells get their known interval back unchanged.
    """
    shape = suppressed.shape
    a_eq = margin_equations(shape)
    b_eq = np.zeros(a_eq.shape[0])
    bounds: list[tuple[float, float | None]] = [
        (0.0, None) if hidden else (float(lo), float(hi))
        for hidden, lo, hi in zip(suppressed.ravel(), known_low.ravel(), known_high.ravel(), strict=True)
    ]
    low = known_low.astype(float).copy()
    high = known_high.astype(float).copy()
    for flat in np.flatnonzero(suppressed.ravel()):
        cell = np.unravel_index(flat, shape)
        low[cell] = _extreme(a_eq, b_eq, bounds, int(flat), sense=1.0)
        high[cell] = -_extreme(a_eq, b_eq, bounds, int(flat), sense=-1.0)
    return Intervals(low=low, high=high)


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
