"""Rule results and published tables: what every check hands to the output-checking log.

A table keeps its true values beside the published ones (marked private, never serialised) because
the release-wide differencing check must compare what two tables would reveal, and only the true
counts say whether the difference is a small group.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from famlink.disclosure.intervals import BoolGrid, FloatGrid
from famlink.disclosure.rules import DisclosureRules

SUPPRESSED_MARK = "[c]"
TOTAL_LABEL = "Total"
Status = Literal["pass", "protected", "fail"]
CellKey = frozenset[tuple[str, str]]


@dataclass(frozen=True)
class RuleResult:
    """One rule applied to one output: `pass` (nothing to do), `protected` (famlink fixed it) or `fail`."""

    rule: str
    status: Status
    detail: str
    cells: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "status": self.status, "detail": self.detail, "cells": list(self.cells)}


@dataclass(frozen=True)
class ProtectedTable:
    """A frequency or magnitude table after disclosure control; `to_frame()` is what may be published.

    The grids are (rows + 1) x (cols + 1): the last row and column hold the totals. `published` holds
    the rounded (frequency) or exact (magnitude) values, NaN where suppressed.
    """

    name: str
    kind: Literal["frequency", "magnitude"]
    row_var: str
    col_var: str | None
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    published: FloatGrid
    suppressed: BoolGrid
    primary: BoolGrid
    show_margins: bool
    rules: DisclosureRules
    results: tuple[RuleResult, ...]
    measure: str | None = None
    true_counts: FloatGrid = field(repr=False, default_factory=lambda: np.zeros((0, 0)))

    @property
    def status(self) -> Status:
        """The worst status among the rules: `fail` blocks the output."""
        statuses = {r.status for r in self.results}
        return "fail" if "fail" in statuses else "protected" if "protected" in statuses else "pass"

    def to_frame(self) -> pd.DataFrame:
        """The publishable table: whole numbers, `[c]` for suppressed cells, totals if asked for."""
        n_rows = len(self.row_labels) + (1 if self.show_margins else 0)
        n_cols = self._printed_columns()
        body = [[self._render((i, j)) for j in range(n_cols)] for i in range(n_rows)]
        index = [*self.row_labels, TOTAL_LABEL][:n_rows]
        columns = [*self.col_labels, TOTAL_LABEL][:n_cols]
        frame = pd.DataFrame(body, index=pd.Index(index, name=self.row_var), columns=columns, dtype=object)
        return frame

    def to_csv_frame(self) -> pd.DataFrame:
        """`to_frame()` with the row labels as an ordinary first column, ready for CSV."""
        return self.to_frame().reset_index()

    def cell_label(self, cell: tuple[int, int]) -> str:
        """A readable name for a cell: category labels (never a person's data)."""
        row = [*self.row_labels, TOTAL_LABEL][cell[0]]
        col = [*self.col_labels, TOTAL_LABEL][cell[1]]
        return row if self.col_var is None else f"{row} / {col}"

    def keyed_cells(self) -> Iterator[tuple[CellKey, tuple[int, int]]]:
        """Each distinct published position with a key of (variable, category) pairs, totals dropping
        the variable they sum over, so cells of different tables describing the same group match."""
        n_rows = len(self.row_labels) + 1
        n_cols = 1 if self.col_var is None else len(self.col_labels) + 1
        for i in range(n_rows):
            for j in range(n_cols):
                key: set[tuple[str, str]] = set()
                if i < len(self.row_labels):
                    key.add((self.row_var, self.row_labels[i]))
                if self.col_var is not None and j < len(self.col_labels):
                    key.add((self.col_var, self.col_labels[j]))
                if self.measure is not None:
                    key.add(("measure", self.measure))
                yield frozenset(key), (i, j)

    def _printed_columns(self) -> int:
        if self.col_var is None:
            return 1
        return len(self.col_labels) + (1 if self.show_margins else 0)

    def _render(self, cell: tuple[int, int]) -> object:
        if self.suppressed[cell]:
            return SUPPRESSED_MARK
        value = float(self.published[cell])
        return int(value) if self.kind == "frequency" or value.is_integer() else round(value, 2)
