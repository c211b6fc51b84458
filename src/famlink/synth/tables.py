"""Small helpers shared by the source builders: person tables, event tables, record maps."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from famlink.contracts.person import PERSON_COLUMNS
from famlink.synth.text import dates, take

RecordMap = tuple[str, pa.Array, pa.Array]
"""(source, record_id, person_id) rows for truth/records.parquet."""


def person_table(
    record_id: pa.Array,
    columns: dict[str, pa.Array],
    extra: dict[str, pa.Array] | None = None,
    drop: tuple[str, ...] = (),
) -> pa.Table:
    """A person-schema table (all strings) in contract order, plus extra columns after it."""
    data = {"record_id": record_id}
    for name in PERSON_COLUMNS[1:]:
        if name not in drop:
            data[name] = columns[name]
    data.update(extra or {})
    return pa.table(data)


def event_table(
    ref: pa.Array,
    person: np.ndarray,
    day: np.ndarray,
    column: str,
    names: tuple[str, ...],
    kind: np.ndarray,
    date_name: str = "date",
) -> pa.Table:
    """record_id, date, <column> for events of people who have a reference here (ref not null)."""
    refs = ref.take(pa.array(person))
    keep = np.asarray(refs.is_valid())
    table = pa.table(
        {
            "record_id": refs.filter(pa.array(keep)),
            date_name: dates(day[keep]),
            column: take(pa.array(list(names)), kind[keep]),
        }
    )
    return table.sort_by([("record_id", "ascending"), (date_name, "ascending"), (column, "ascending")])


def scatter_refs(rows: np.ndarray, refs: pa.Array, size: int) -> pa.Array:
    """A per-person array holding each covered person's reference (null for everyone else)."""
    position = np.full(size, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    return take(refs, position)


def records(source: str, record_id: pa.Array, person_id: pa.Array) -> RecordMap:
    return (source, record_id, person_id)
