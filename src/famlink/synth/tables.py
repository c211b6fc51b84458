"""Small helpers shared by the source builders: person tables, event tables, record maps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from famlink.contracts.person import PERSON_COLUMNS
from famlink.synth.ids import permuted
from famlink.synth.text import dates, digits, join, take

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


@dataclass
class Refs:
    """One source's reference for each person of a council (null/-1 where the source has none).

    `number` is the numeric part of the reference: same width and prefix throughout a file, so
    sorting by it sorts by the reference, in NumPy rather than by string comparison in Arrow.
    """

    text: pa.Array
    number: np.ndarray

    @classmethod
    def scatter(
        cls, rows: np.ndarray, prefix: str, counter: np.ndarray, width: int, salt: int, size: int
    ) -> Refs:
        numbers = permuted(counter, 10**width, salt)
        text = join(prefix, digits(numbers, width))
        position = np.full(size, -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        number = np.full(size, -1, dtype=np.int64)
        number[rows] = numbers
        return cls(take(text, position), number)

    def order(self, person: np.ndarray, *keys: np.ndarray) -> np.ndarray:
        """Positions of the rows whose person has a reference, sorted by reference then `keys`."""
        held = np.flatnonzero(self.number[person] >= 0)
        if not keys:  # rows already in key order within each person: a stable sort keeps it
            return held[np.argsort(self.number[person[held]], kind="stable")]
        sort_keys = [np.asarray(k)[held] for k in reversed(keys)] + [self.number[person[held]]]
        return held[np.lexsort(sort_keys)]

    def of(self, person: np.ndarray) -> pa.Array:
        return self.text.take(pa.array(person))


def event_table(
    refs: Refs,
    person: np.ndarray,
    day: np.ndarray,
    column: str,
    names: tuple[str, ...],
    kind: np.ndarray,
    presorted: bool = True,
) -> pa.Table:
    """record_id, date, <column> for the events of people this source holds, sorted.

    `presorted`: the events are already sorted by person, day and kind (as `draw_events` returns them).
    """
    rows = refs.order(person) if presorted else refs.order(person, day, kind)
    return pa.table(
        {
            "record_id": refs.of(person[rows]),
            "date": dates(day[rows]),
            column: take(pa.array(list(names)), kind[rows]),
        }
    )
