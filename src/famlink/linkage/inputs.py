"""Turn a user's people file into a checked person-schema table, or refuse it with a usable message.

Every refusal names the file, the row (by position) and the column, never a value, and happens before
any output is written, so a failed run leaves nothing behind.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from famlink.contracts.person import PERSON_COLUMNS
from famlink.errors import ConfigError, InputFileError
from famlink.tabular import first_duplicate_rows, read_table, require_columns

REQUIRED_FOR_LINKAGE = ("record_id", "first_name", "surname", "date_of_birth")
"""Linkage needs a key, names and a date of birth; every other person column may be absent."""

CARRIED_COLUMNS = ("ethnicity",)
"""Non-identifying columns kept for the quality report's match rates by group."""


def read_people(path: Path, column_map: dict[str, str] | None = None) -> pa.Table:
    """Read a CSV/Parquet people file and check it (see `check_people`)."""
    return check_people(read_table(path), str(path), column_map)


def check_people(
    table: pa.Table, source: str, column_map: dict[str, str] | None = None, *, partial_map: bool = False
) -> pa.Table:
    """Apply the column map, check columns and record ids, and return the person schema as strings.

    The result has every person column (absent ones as nulls), any carried column present, and
    `_row`, the 1-based position of each record in the file, so later checks can cite rows.
    """
    if table.num_rows == 0:
        raise InputFileError("the table has no rows", where=source, fix="export it again with its rows")
    mapping = column_map or {}
    if partial_map:  # linking two files: each takes the entries naming its own columns
        mapping = {k: v for k, v in mapping.items() if k in table.column_names}
    table = apply_column_map(table, mapping, source)
    require_columns(table, REQUIRED_FOR_LINKAGE, source)
    table = _as_person_strings(table)
    _check_record_ids(table, source)
    return table


def check_map_sources(column_map: dict[str, str], tables: dict[str, pa.Table]) -> None:
    """Refuse --map entries whose source column is in none of the files (`tables` by file name)."""
    present = {c for t in tables.values() for c in t.column_names}
    unknown = [s for s in column_map if s not in present]
    if unknown:
        raise InputFileError(
            f"--map names column(s) no input file has: {', '.join(unknown)}",
            where=f"{' and '.join(tables)}, header",
            fix="check the spelling against the files' header rows",
        )


def apply_column_map(table: pa.Table, column_map: dict[str, str], source: str) -> pa.Table:
    """Rename SRC columns to person-schema DEST names; unknown names on either side are refused."""
    if not column_map:
        return table
    unknown_sources = [s for s in column_map if s not in table.column_names]
    if unknown_sources:
        raise InputFileError(
            f"--map names column(s) the file does not have: {', '.join(unknown_sources)}",
            where=f"{source}, header",
            fix=f"the file's columns are: {', '.join(table.column_names)}",
        )
    unknown_dests = [d for d in column_map.values() if d not in PERSON_COLUMNS]
    if unknown_dests:
        raise ConfigError(
            f"--map targets column(s) outside the person schema: {', '.join(unknown_dests)}",
            where="--map",
            fix=f"map onto one of: {', '.join(PERSON_COLUMNS)}",
        )
    renamed = [column_map.get(name, name) for name in table.column_names]
    clashes = sorted({n for n in renamed if renamed.count(n) > 1})
    if clashes:
        raise InputFileError(
            f"after --map, the file has more than one column named: {', '.join(clashes)}",
            where=f"{source}, header",
            fix="map only one source column onto each person column, or drop the other",
        )
    return table.rename_columns(renamed)


def _as_person_strings(table: pa.Table) -> pa.Table:
    """Keep person (and carried) columns as strings, add absent ones as nulls, and number the rows."""
    arrays: dict[str, pa.Array | pa.ChunkedArray] = {}
    for name in (*PERSON_COLUMNS, *CARRIED_COLUMNS):
        if name in table.column_names:
            arrays[name] = _to_string(table.column(name))
        elif name in PERSON_COLUMNS:
            arrays[name] = pa.nulls(table.num_rows, pa.string())
    arrays["_row"] = pa.array(range(1, table.num_rows + 1), pa.int64())
    return pa.table(arrays)


def _to_string(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column.cast(pa.string())
    if pa.types.is_date(column.type) or pa.types.is_timestamp(column.type):
        return pc.strftime(column, format="%Y-%m-%d")
    return column.cast(pa.string())


def _check_record_ids(table: pa.Table, source: str) -> None:
    ids = table.column("record_id")
    blank = pc.or_kleene(pc.is_null(ids), pc.equal(pc.utf8_trim_whitespace(ids), ""))
    blank_rows = pc.indices_nonzero(pc.fill_null(blank, True))
    if len(blank_rows):
        row = blank_rows[0].as_py() + 1
        raise InputFileError(
            "a record has no record_id",
            where=f"{source}, row {row}, column record_id",
            fix="give every record its own id",
        )
    if pc.count_distinct(ids).as_py() == len(ids):
        return
    duplicate = first_duplicate_rows(ids)
    if duplicate:
        first, second = duplicate
        raise InputFileError(
            f"record_id is not unique: rows {first} and {second} share one",
            where=f"{source}, row {second}, column record_id",
            fix="each record needs its own id; remove the duplicate or fix the export",
        )
