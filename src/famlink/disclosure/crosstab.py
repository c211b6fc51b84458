"""`famlink disclose crosstab`: a protected cross-tabulation of any microdata file, as a standalone tool.

Kept in the library (not the CLI) so that the command stays a thin wrapper and the same path —
read, protect, write table and log — is what the tests exercise.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from famlink.disclosure.log import OutputLog
from famlink.disclosure.release import Release
from famlink.disclosure.results import ProtectedTable
from famlink.disclosure.rules import DisclosureRules
from famlink.errors import InputFileError
from famlink.tabular import read_table, require_columns, table_format, write_table


@dataclass(frozen=True)
class CrosstabRun:
    """What the command produced, for the summary it prints."""

    table: ProtectedTable
    log: OutputLog
    out: Path


def crosstab_file(
    data: Path,
    rows: str,
    cols: str | None,
    out: Path,
    *,
    rules: DisclosureRules,
    margins: bool = False,
    log_path: Path | None = None,
) -> CrosstabRun:
    """Read `data`, count by `rows` x `cols`, protect, and write the table (and log) atomically."""
    table_format(out)
    if log_path is not None and log_path.suffix.lower() != ".json":
        raise InputFileError("the log is written as JSON", where=str(log_path), fix="name it LOG.json")
    source = read_table(data)
    require_columns(source, [rows] if cols is None else [rows, cols], str(data))
    frame = source.select([rows] if cols is None else [rows, cols]).to_pandas()
    release = Release(f"crosstab of {data.name}", rules)
    name = rows if cols is None else f"{rows} by {cols}"
    protected = release.add_frequency_table(frame, rows, cols, name=name, margins=margins)
    published = protected.to_csv_frame().astype(str)
    write_table(pa.Table.from_pandas(published, preserve_index=False), out)
    log = release.log
    if log_path is not None:
        log.write_json(log_path)
    return CrosstabRun(table=protected, log=log, out=out)
