"""Read and write the CSV and Parquet files users hand to famlink, with errors people can act on.

Why not just `pyarrow.csv.read_csv`: its errors quote the offending row, which here would print names
and identifiers into a terminal or a log. This module finds the row and column by position and says
what is wrong without the value. Every write is atomic (temporary file, then rename), so an
interrupted or failed command never leaves a half-written output behind.
"""

from __future__ import annotations

import codecs
import csv
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from famlink.errors import InputFileError

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".pq")
_OTHER_DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}
_CHUNK = 1 << 20


def table_format(path: Path) -> str:
    """Return 'csv' or 'parquet' from the file name, or refuse an unknown suffix."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InputFileError(
        f"famlink reads and writes CSV or Parquet, not '{suffix or 'no suffix'}' files",
        where=str(path),
        fix="give the file a .csv or .parquet name",
    )


def read_table(path: str | Path, *, all_strings: bool = True) -> pa.Table:
    """Read a CSV or Parquet file; CSV columns stay strings so identifiers keep leading zeros."""
    path = Path(path)
    if not path.exists():
        raise InputFileError("the file does not exist", where=str(path), fix="check the path")
    if path.is_dir():
        raise InputFileError("expected a file but found a folder", where=str(path))
    if path.stat().st_size == 0:
        raise InputFileError("the file is empty", where=str(path), fix="export it again with its header row")
    if table_format(path) == "parquet":
        return _read_parquet(path)
    return _read_csv(path, all_strings=all_strings)


def _read_parquet(path: Path) -> pa.Table:
    try:
        return pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputFileError(
            "the file is not a readable Parquet file", where=str(path), fix="export it again"
        ) from exc


def _read_csv(path: Path, *, all_strings: bool) -> pa.Table:
    _check_utf8(path)
    header = _read_header(path)
    _check_delimiter(path, header)
    column_types = dict.fromkeys(header, pa.string()) if all_strings else None
    try:
        table = pacsv.read_csv(
            path,
            convert_options=pacsv.ConvertOptions(
                column_types=column_types, strings_can_be_null=True, quoted_strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as exc:
        _locate_ragged_row(path, len(header))
        raise InputFileError("the CSV could not be parsed", where=str(path)) from exc
    if table.num_rows == 0:
        raise InputFileError("the file has a header but no rows", where=str(path))
    return table


def _check_utf8(path: Path) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                bad_line = line + chunk[: exc.start].count(b"\n")
                raise InputFileError(
                    f"the file is not UTF-8 text (bad byte at line {bad_line})",
                    where=f"{path}, line {bad_line}",
                    fix="save or export the file as UTF-8 (e.g. 'CSV UTF-8' in a spreadsheet program)",
                ) from None
            line += chunk.count(b"\n")


def _read_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = next(csv.reader(handle), None)
    if not first or all(not c.strip() for c in first):
        raise InputFileError("the file has no header row", where=f"{path}, line 1")
    duplicates = sorted({c for c in first if first.count(c) > 1})
    if duplicates:
        raise InputFileError(
            f"the header names a column more than once: {', '.join(duplicates)}", where=f"{path}, line 1"
        )
    return first


def _check_delimiter(path: Path, header: list[str]) -> None:
    if len(header) > 1:
        return
    for delimiter, name in _OTHER_DELIMITERS.items():
        if delimiter in header[0]:
            raise InputFileError(
                f"the file looks {name}-separated, but famlink reads comma-separated CSV",
                where=f"{path}, line 1",
                fix="export it again with commas as the separator",
            )


def _locate_ragged_row(path: Path, expected: int) -> None:
    """Find the first row whose field count differs from the header's, and raise with its position."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        for row_number, row in enumerate(reader, start=1):
            if row and len(row) != expected:
                raise InputFileError(
                    f"row {row_number} has {len(row)} fields but the header has {expected}",
                    where=f"{path}, row {row_number} (line {reader.line_num})",
                    fix="check for a stray comma or an unquoted field in that row",
                )


def require_columns(table: pa.Table, required: Sequence[str], source: str) -> None:
    """Refuse a table missing any of `required`, naming them all at once."""
    missing = [c for c in required if c not in table.column_names]
    if missing:
        raise InputFileError(
            f"missing required column(s): {', '.join(missing)}",
            where=source,
            fix=f"add the column(s), or map yours onto them; the file has: {', '.join(table.column_names)}",
        )


def first_duplicate_rows(values: pa.ChunkedArray | pa.Array) -> tuple[int, int] | None:
    """Positions (1-based rows) of the first value seen twice, so errors can cite rows, not values."""
    seen: dict[object, int] = {}
    for row, value in enumerate(values.to_pylist(), start=1):
        if value is None:
            continue
        if value in seen:
            return seen[value], row
        seen[value] = row
    return None


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; it replaces `path` only if the block finishes."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_table(table: pa.Table, path: str | Path) -> Path:
    """Write CSV or Parquet (by suffix) atomically."""
    target = Path(path)
    fmt = table_format(target)
    with atomic_path(target) as tmp:
        if fmt == "parquet":
            pq.write_table(table, tmp)
        else:
            pacsv.write_csv(table, tmp)
    return target
