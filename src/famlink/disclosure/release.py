"""A release: every output leaving the research store together, checked singly and against each other.

Why a release object: two tables that are each safe can leak together. "Outcome by sex, all councils"
and "outcome by sex, all councils but LA07" differ by LA07's families; if that difference is a handful
of people, subtracting one published table from the other reveals them. Cells of different tables are
matched by what they describe — the (variable, category) pairs, with a total dropping the variable it
sums over — so a column total of one table is compared with a cell of a coarser table too. When two
published cells describing the same group differ by fewer than the threshold (but not zero), the cell
in the later table is suppressed and that table protected again, until no such pair remains. A cell
an earlier table already publishes for the same group is likewise never relied on as a complement.

Limits: the check compares pairs of published cells; it does not solve one LP across all tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from famlink.disclosure.frequency import protect_counts, protect_frequency_table
from famlink.disclosure.log import LogEntry, OutputLog, Override, now_utc
from famlink.disclosure.magnitude import check_magnitude_table
from famlink.disclosure.models import ModelCheck, check_model
from famlink.disclosure.results import ProtectedTable, RuleResult
from famlink.disclosure.rules import DisclosureRules
from famlink.disclosure.statements import ProtectedProportion, protect_proportion
from famlink.disclosure.suppression import Cell
from famlink.errors import ConfigError, DisclosureError

Output = ProtectedTable | ModelCheck | ProtectedProportion


class Release:
    """Collects a release's outputs, runs the differencing check, and keeps the output-checking log."""

    def __init__(self, name: str, rules: DisclosureRules | None = None) -> None:
        self.name = name
        self.rules = rules or DisclosureRules()
        self._outputs: dict[str, Output] = {}
        self._overrides: dict[str, list[Override]] = {}

    @property
    def outputs(self) -> dict[str, Output]:
        return dict(self._outputs)

    def add_frequency_table(
        self,
        data: pd.DataFrame,
        rows: str,
        cols: str | None = None,
        *,
        name: str,
        margins: bool = True,
        structural_zeros: Iterable[tuple[str, str]] = (),
    ) -> ProtectedTable:
        """Protect a count table and make it safe against the tables already in the release."""
        zeros = tuple(structural_zeros)
        table = protect_frequency_table(
            data, rows, cols, self.rules, name=name, margins=margins, structural_zeros=zeros
        )
        return self._store(self._settle(table, zeros))

    def add_magnitude_table(
        self,
        data: pd.DataFrame,
        rows: str,
        cols: str | None,
        value: str,
        *,
        name: str,
        unit: str | None = None,
        margins: bool = True,
    ) -> ProtectedTable:
        """Protect a table of sums; a conflict with an earlier table blocks it (status `fail`)."""
        table = check_magnitude_table(
            data, rows, cols, value, self.rules, unit=unit, name=name, margins=margins
        )
        return self._store(self._block_if_differencing(table))

    def add_table(self, table: ProtectedTable) -> ProtectedTable:
        """Add a table protected elsewhere; frequency tables are re-protected if they conflict."""
        if table.kind == "frequency":
            return self._store(self._settle(table, ()))
        return self._store(self._block_if_differencing(table))

    def add_model(self, result: Any = None, *, name: str, **counts: Any) -> ModelCheck:
        """Check a model (statsmodels result or n_obs/n_params/subgroup_sizes) and log it."""
        check = check_model(result, rules=self.rules, name=name, **counts)
        self._store(check)
        return check

    def add_proportion(self, numerator: int, denominator: int, *, name: str) -> ProtectedProportion:
        """Check a share quoted in prose ("x% of families ..."); print its `.text`."""
        figure = protect_proportion(numerator, denominator, self.rules, name=name)
        self._store(figure)
        return figure

    def override(self, output: str, rule: str, *, reason: str, by: str) -> Override:
        """Record a checker's decision to release despite a failed rule; reason and name are required."""
        if output not in self._outputs:
            raise ConfigError(f"no output named '{output}' in release '{self.name}'")
        if not reason.strip() or not by.strip():
            raise ConfigError("an override needs a reason and the name of who made it", where=output)
        if rule not in {r.rule for r in self._outputs[output].results}:
            raise ConfigError(f"output '{output}' has no rule '{rule}'", where=output)
        record = Override(output=output, rule=rule, reason=reason.strip(), by=by.strip(), at=now_utc())
        self._overrides.setdefault(output, []).append(record)
        return record

    def publishable(self, name: str) -> pd.DataFrame:
        """The table as it may be published; refuses a blocked output that no one has overridden."""
        output = self._outputs.get(name)
        if not isinstance(output, ProtectedTable):
            raise ConfigError(f"release '{self.name}' has no table named '{name}'", fix="see `outputs`")
        if self._entry(name, output).status == "fail":
            raise DisclosureError(
                f"output '{name}' failed disclosure control and has no override",
                where=f"release '{self.name}'",
                fix="see the output-checking log for the failed rule",
            )
        return output.to_frame()

    @property
    def log(self) -> OutputLog:
        """The output-checking log of everything added so far."""
        entries = [self._entry(name, output) for name, output in self._outputs.items()]
        return OutputLog(release=self.name, rules=self.rules, entries=entries)

    def _entry(self, name: str, output: Output) -> LogEntry:
        return LogEntry(
            name=name,
            kind=output.kind,
            results=output.results,
            overrides=tuple(self._overrides.get(name, [])),
        )

    def _store(self, output: Output) -> Any:
        if output.name in self._outputs:
            raise ConfigError(f"release '{self.name}' already has an output named '{output.name}'")
        self._outputs[output.name] = output
        return output

    def _settle(self, table: ProtectedTable, structural: tuple[tuple[str, str], ...]) -> ProtectedTable:
        """Re-protect `table` until it publishes no small difference from an earlier table and hides
        no cell an earlier table already publishes (such a cell would be a false complement)."""
        extra: set[Cell] = set()
        known: set[Cell] = set()
        while True:
            conflicts = differencing_conflicts(table, self._tables()) - extra
            hidden_but_public = (
                {c for c in published_elsewhere(table, self._tables()) if table.suppressed[c]} - known - extra
            )
            if not conflicts and not hidden_but_public:
                return table
            extra |= conflicts
            known = (known | hidden_but_public) - extra
            table = protect_counts(
                _interior_frame(table),
                self.rules,
                name=table.name,
                row_var=table.row_var,
                col_var=table.col_var,
                margins=table.show_margins,
                structural_zeros=structural,
                extra_primary=sorted(extra),
                published_elsewhere=sorted(known),
            )

    def _block_if_differencing(self, table: ProtectedTable) -> ProtectedTable:
        conflicts = differencing_conflicts(table, self._tables())
        if not conflicts:
            return table
        result = RuleResult(
            "differencing",
            "fail",
            "published cells differ from another table of the release by a small group",
            tuple(table.cell_label(c) for c in sorted(conflicts)),
        )
        return replace(table, results=(*table.results, result))

    def _tables(self) -> list[ProtectedTable]:
        return [o for o in self._outputs.values() if isinstance(o, ProtectedTable)]


def differencing_conflicts(table: ProtectedTable, others: Iterable[ProtectedTable]) -> set[Cell]:
    """Published cells of `table` whose true count differs from a published cell describing the same
    group in another table by more than zero and less than the threshold."""
    threshold = table.rules.threshold
    mine = {key: cell for key, cell in table.keyed_cells() if not table.suppressed[cell]}
    conflicts: set[Cell] = set()
    for other in others:
        for key, cell in other.keyed_cells():
            if key in mine and not other.suppressed[cell]:
                difference = abs(float(table.true_counts[mine[key]]) - float(other.true_counts[cell]))
                if 0 < difference < threshold:
                    conflicts.add(mine[key])
    return conflicts


def published_elsewhere(table: ProtectedTable, others: Iterable[ProtectedTable]) -> set[Cell]:
    """Cells of `table` describing exactly the same group, with the same count, as a published cell of
    another table: they are public whatever this table does."""
    mine = dict(table.keyed_cells())
    public: set[Cell] = set()
    for other in others:
        for key, cell in other.keyed_cells():
            same_group = key in mine and not other.suppressed[cell]
            if same_group and float(table.true_counts[mine[key]]) == float(other.true_counts[cell]):
                public.add(mine[key])
    return public


def _interior_frame(table: ProtectedTable) -> pd.DataFrame:
    interior = np.asarray(table.true_counts[:-1, :-1], dtype=np.int64)
    return pd.DataFrame(interior, index=list(table.row_labels), columns=list(table.col_labels))
