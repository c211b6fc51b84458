"""Arrow string building blocks: strings are made column-wise in Arrow's C++ kernels, not in Python.

Why Arrow rather than NumPy strings: the world's tables end up in Parquet, and converting millions
of NumPy strings to Arrow costs more than building them in Arrow in the first place. NumPy's string
functions are used only for the small subsets that need per-row positions (typos).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SDT = np.dtypes.StringDType()


def pool_array(values: list[str] | np.ndarray) -> pa.Array:
    return pa.array([str(v) for v in values], type=pa.string())


def take(pool: pa.Array, index: np.ndarray) -> pa.Array:
    """pool[index], with null wherever index is negative."""
    index = np.asarray(index)
    return pool.take(pa.array(np.maximum(index, 0), mask=index < 0))


def digits(values: np.ndarray, width: int) -> pa.Array:
    """Non-negative integers as zero-padded strings."""
    return pc.utf8_lpad(pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string()), width, "0")


def join(*parts: pa.Array | str) -> pa.Array:
    """Concatenate string arrays and literals element-wise (null if any part is null)."""
    arrays = [pa.scalar(p) if isinstance(p, str) else p for p in parts]
    return pc.binary_join_element_wise(*arrays, "")


def where(mask: np.ndarray, yes: pa.Array | None, no: pa.Array) -> pa.Array:
    """Element-wise choice; `yes=None` means null."""
    chosen = pa.nulls(len(no), type=no.type) if yes is None else yes
    return pc.if_else(pa.array(np.asarray(mask, dtype=bool)), chosen, no)


def to_numpy(array: pa.Array) -> np.ndarray:
    """Arrow strings to NumPy StringDType ('' for null), for small subsets only."""
    return np.asarray(pc.fill_null(array, "").to_numpy(zero_copy_only=False), dtype=SDT)


def replace_rows(array: pa.Array, rows: np.ndarray, values: np.ndarray | pa.Array) -> pa.Array:
    """A copy of `array` with the given rows replaced."""
    if not len(rows):
        return array
    mask = np.zeros(len(array), dtype=bool)
    mask[rows] = True
    order = np.argsort(rows, kind="stable")
    new = values if isinstance(values, pa.Array) else pa.array(values, type=pa.string())
    return pc.replace_with_mask(array, pa.array(mask), new.take(pa.array(order)))


def is_null_or_empty(array: pa.Array) -> np.ndarray:
    return np.asarray(
        pc.fill_null(pc.equal(pc.fill_null(array, ""), ""), True).to_numpy(zero_copy_only=False)
    )


def dates(values: np.ndarray) -> pa.Array:
    """datetime64[D] (NaT = null) to Arrow date32."""
    values = np.asarray(values, dtype="datetime64[D]")
    return pa.array(values, type=pa.date32(), mask=np.isnat(values))
