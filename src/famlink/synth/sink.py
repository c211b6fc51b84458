"""Deterministic Parquet output: fixed writer options, no timestamps, explicit schemas.

The same arguments must give byte-identical files, so every table is written with the same
compression and row-group settings, rows are sorted before writing, and files that grow council by
council (the departments' and the truth tables) are appended in council order by one open writer.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

WRITE_OPTIONS: dict[str, object] = {
    "compression": "zstd",
    "compression_level": 1,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
}
ROW_GROUP = 1_000_000


def write_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=ROW_GROUP, **WRITE_OPTIONS)


class TableSink:
    """Parquet files appended to chunk by chunk, each opened with the schema of its first chunk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {}

    def append(self, relative: str, table: pa.Table) -> None:
        writer = self._writers.get(relative)
        if writer is None:
            path = self.root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(path, table.schema, **WRITE_OPTIONS)
            self._writers[relative] = writer
            self.rows[relative] = 0
        writer.write_table(table.cast(writer.schema), row_group_size=ROW_GROUP)
        self.rows[relative] += table.num_rows

    def close(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()


class Collector:
    """Tables for the appended files, gathered by a worker and replayed into the sink in order."""

    def __init__(self) -> None:
        self.tables: list[tuple[str, pa.Table]] = []

    def append(self, relative: str, table: pa.Table) -> None:
        self.tables.append((relative, table))

    def replay(self, sink: TableSink) -> None:
        for relative, table in self.tables:
            sink.append(relative, table)
