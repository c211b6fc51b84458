"""Turn a user's table into the arrays the estimators need, refusing what cannot be analysed.

Why a separate step: every estimator assumes a binary treatment, complete numeric covariates and
enough units on both sides. Checking once, here, lets each error name the column and the first row
(by position, never by value) instead of surfacing as a numpy or scikit-learn traceback later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from famlink.errors import AnalysisError, InputFileError
from famlink.tabular import require_columns

MIN_TREATED = 10
MIN_CONTROLS = 10
MAX_CATEGORY_LEVELS = 50
_TRUE = {"1", "1.0", "true", "t", "yes", "y"}
_FALSE = {"0", "0.0", "false", "f", "no", "n"}


@dataclass(frozen=True)
class EvaluationData:
    """Arrays for one analysis: one row per unit (person or family)."""

    treated: np.ndarray  # bool, shape (n,)
    covariates: np.ndarray  # float, shape (n, p): numeric covariates and dummies of categorical ones
    covariate_names: list[str]
    outcomes: np.ndarray  # float, shape (n, q); NaN = not eligible / not observed
    outcome_names: list[str]
    clusters: np.ndarray  # int codes, shape (n,): each unit its own cluster when none was given
    pre_outcomes: np.ndarray | None = None  # float (n, q): the same outcomes before the start
    extra: dict[str, np.ndarray] = field(default_factory=dict)
    pre_outcome_names: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(self.treated.shape[0])

    def subset(self, rows: np.ndarray) -> EvaluationData:
        """The same analysis restricted to (or resampled as) `rows`."""
        return EvaluationData(
            treated=self.treated[rows],
            covariates=self.covariates[rows],
            covariate_names=self.covariate_names,
            outcomes=self.outcomes[rows],
            outcome_names=self.outcome_names,
            clusters=self.clusters[rows],
            pre_outcomes=None if self.pre_outcomes is None else self.pre_outcomes[rows],
            extra={k: v[rows] for k, v in self.extra.items()},
            pre_outcome_names=self.pre_outcome_names,
        )


def prepare_data(
    table: pa.Table,
    *,
    treatment: str,
    outcomes: Sequence[str],
    covariates: Sequence[str],
    cluster: str | None = None,
    pre_outcomes: Sequence[str] | None = None,
    keep: Sequence[str] = (),
    source: str = "data",
) -> EvaluationData:
    """Validate and convert `table`; `keep` columns ride along (as strings) for subgroup analyses."""
    if not outcomes:
        raise InputFileError("no outcome column was named", fix="name at least one outcome")
    if not covariates:
        raise InputFileError("no covariate column was named", fix="name the covariates to balance on")
    if pre_outcomes is not None and len(pre_outcomes) != len(outcomes):
        raise InputFileError("give one pre-period column per outcome, in the same order", where=source)
    wanted = [treatment, *outcomes, *covariates, *(pre_outcomes or []), *keep]
    require_columns(table, [*dict.fromkeys(wanted + ([cluster] if cluster else []))], source)
    treated = binary_column(table, treatment, source)
    names, matrix = covariate_matrix(table, covariates, source)
    data = EvaluationData(
        treated=treated,
        covariates=matrix,
        covariate_names=names,
        outcomes=_numeric_matrix(table, outcomes, source),
        outcome_names=list(outcomes),
        clusters=cluster_codes(table, cluster, source),
        pre_outcomes=None if pre_outcomes is None else _numeric_matrix(table, pre_outcomes, source),
        extra={k: np.asarray(table.column(k).cast(pa.string()).to_pylist(), dtype=object) for k in keep},
        pre_outcome_names=list(pre_outcomes or []),
    )
    require_enough_units(data.treated)
    return data


def require_enough_units(treated: np.ndarray, where: str | None = None) -> None:
    """Refuse analyses with too few treated or comparison units to estimate anything."""
    n_treated = int(treated.sum())
    n_control = int((~treated).sum())
    if n_treated < MIN_TREATED:
        raise AnalysisError(
            f"too few treated units: {n_treated} (at least {MIN_TREATED} are needed)",
            where=where,
            fix="check the treatment column's coding, or pool more data",
        )
    if n_control < MIN_CONTROLS:
        raise AnalysisError(
            f"too few comparison units: {n_control} (at least {MIN_CONTROLS} are needed)",
            where=where,
            fix="check the treatment column's coding, or add comparison units",
        )


def binary_column(table: pa.Table, column: str, source: str) -> np.ndarray:
    """A 0/1, true/false or yes/no column as bool; anything else is refused with its row number."""
    values = table.column(column)
    if pa.types.is_boolean(values.type):
        raw = values.to_pylist()
        if None in raw:
            _refuse_row(source, column, raw.index(None), "is empty; the treatment must be 0 or 1")
        return np.asarray(raw, dtype=bool)
    texts = pc.utf8_lower(pc.utf8_trim_whitespace(values.cast(pa.string())))
    is_true = pc.is_in(texts, pa.array(sorted(_TRUE))).to_numpy(zero_copy_only=False)
    is_false = pc.is_in(texts, pa.array(sorted(_FALSE))).to_numpy(zero_copy_only=False)
    bad = np.flatnonzero(~(is_true | is_false))
    if len(bad):
        _refuse_row(source, column, int(bad[0]), "is not binary; the treatment must be 0/1 (or true/false)")
    return np.asarray(is_true, dtype=bool)


def covariate_matrix(table: pa.Table, columns: Sequence[str], source: str) -> tuple[list[str], np.ndarray]:
    """Numeric columns as they are; text columns as dummies (first level dropped as the reference)."""
    names: list[str] = []
    blocks: list[np.ndarray] = []
    for column in columns:
        numeric = _try_numeric(table.column(column))
        if numeric is None:
            levels, block = _dummies(table, column, source)
            names += [f"{column}={level}" for level in levels]
            blocks.append(block)
            continue
        if np.isnan(numeric).any():
            _refuse_row(source, column, int(np.flatnonzero(np.isnan(numeric))[0]), "is empty")
        names.append(column)
        blocks.append(numeric[:, None])
    return names, np.hstack(blocks) if blocks else np.zeros((table.num_rows, 0))


def cluster_codes(table: pa.Table, column: str | None, source: str) -> np.ndarray:
    """Integer codes for the cluster column (each row its own cluster when there is none)."""
    if column is None:
        return np.arange(table.num_rows)
    values = table.column(column).cast(pa.string())
    if values.null_count:
        _refuse_row(source, column, int(np.flatnonzero(pc.is_null(values).to_numpy(False))[0]), "is empty")
    encoded = pc.dictionary_encode(values).combine_chunks()
    return np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)


def _numeric_matrix(table: pa.Table, columns: Sequence[str], source: str) -> np.ndarray:
    out = np.empty((table.num_rows, len(columns)))
    for index, column in enumerate(columns):
        numeric = _try_numeric(table.column(column))
        if numeric is None:
            raise InputFileError(
                f"column '{column}' is not numeric", where=f"{source}, column {column}", fix="use numbers"
            )
        out[:, index] = numeric
    return out


def _try_numeric(values: pa.ChunkedArray) -> np.ndarray | None:
    if pa.types.is_boolean(values.type):
        values = values.cast(pa.int8())
    if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        values = pc.if_else(pc.equal(pc.utf8_trim_whitespace(values), ""), None, values)
        try:
            values = values.cast(pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    if not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)):
        return None
    return np.asarray(values.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=float)


def _dummies(table: pa.Table, column: str, source: str) -> tuple[list[str], np.ndarray]:
    values = table.column(column).cast(pa.string()).to_pylist()
    if None in values:
        _refuse_row(source, column, values.index(None), "is empty")
    levels = sorted(set(values))
    if len(levels) > MAX_CATEGORY_LEVELS:
        raise InputFileError(
            f"column '{column}' is text with {len(levels)} distinct values",
            where=f"{source}, column {column}",
            fix=f"use numbers, or a category with at most {MAX_CATEGORY_LEVELS} values",
        )
    codes = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)[1]
    block = (codes[:, None] == np.arange(1, len(levels))[None, :]).astype(float)
    return levels[1:], block


def _refuse_row(source: str, column: str, row: int, problem: str) -> None:
    raise InputFileError(
        f"column '{column}' {problem} (row {row + 1})",
        where=f"{source}, row {row + 1}, column {column}",
        fix="correct or remove that row",
    )
