"""Reading users' files: each bad-input case gets a message with file and row, never a value."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from famlink.errors import InputFileError
from famlink.tabular import read_table, require_columns, write_table


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def test_csv_columns_stay_strings_so_leading_zeros_survive(tmp_path: Path) -> None:
    table = read_table(write(tmp_path / "a.csv", "record_id,upn\n001,0801200005001\n"))
    assert table.column("record_id").to_pylist() == ["001"]
    assert table.schema.field("upn").type == pa.string()


def test_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="empty"):
        read_table(write(tmp_path / "a.csv", ""))


def test_header_only_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="no rows"):
        read_table(write(tmp_path / "a.csv", "record_id,surname\n"))


def test_semicolon_file_is_named_as_such(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="semicolon"):
        read_table(write(tmp_path / "a.csv", "record_id;surname\n1;SMITH\n"))


def test_non_utf8_names_the_line_but_not_the_bytes(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", b"record_id,surname\n1,SMITH\n2,M\xfcLLER\n")
    with pytest.raises(InputFileError) as caught:
        read_table(path)
    assert "line 3" in str(caught.value)
    assert "LLER" not in str(caught.value)


def test_ragged_row_is_located_without_quoting_it(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "record_id,surname\n1,SMITH\n2,JONES,EXTRA\n")
    with pytest.raises(InputFileError) as caught:
        read_table(path)
    assert "row 2" in str(caught.value)
    assert "JONES" not in str(caught.value)


def test_missing_columns_are_all_named(tmp_path: Path) -> None:
    table = pa.table({"x": ["1"]})
    with pytest.raises(InputFileError, match="record_id, surname"):
        require_columns(table, ["record_id", "surname"], "a.csv")


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="CSV or Parquet"):
        read_table(write(tmp_path / "a.xlsx", "x"))


def test_write_is_atomic_and_round_trips(tmp_path: Path) -> None:
    table = pa.table({"record_id": ["1", "2"]})
    for name in ("out.csv", "out.parquet"):
        write_table(table, tmp_path / name)
        assert read_table(tmp_path / name).column("record_id").to_pylist() == ["1", "2"]
    assert not list(tmp_path.glob("*.partial"))
