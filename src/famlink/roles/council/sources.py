"""What a council loads into its store: the case list, the objection register and local data.

Loading is all-or-nothing: every file is read and checked (columns, duplicate references, dates)
before anything is written, then everything is written in one transaction. A council data officer
who gets an error fixes the file named in it and runs the same command again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from famlink.contracts.person import PERSON_COLUMNS
from famlink.errors import InputFileError
from famlink.tabular import first_duplicate_rows, read_table, require_columns


@dataclass(frozen=True)
class SourceFile:
    """One file a council provides: where it lives in the folder, its columns and its date columns."""

    table: str
    relative: str
    required: tuple[str, ...]
    dates: tuple[str, ...] = ()
    unique_key: str | None = None
    optional: bool = False


_EVENT = ("record_id", "date")
SOURCES: tuple[SourceFile, ...] = (
    SourceFile(
        "case_list",
        "case_list.parquet",
        (*PERSON_COLUMNS, "family_ref", "relationship", "assessed_date", "status", "start_date"),
        ("assessed_date", "start_date", "waiting_list_date"),
        unique_key="record_id",
    ),
    SourceFile(
        "objection_file",
        "objections.parquet",
        ("record_id", "objected_on", "channel", "scope"),
        ("objected_on",),
        optional=True,
    ),
    SourceFile("people", "local/people.parquet", (*PERSON_COLUMNS, "family_ref"), unique_key="record_id"),
    SourceFile(
        "school",
        "local/school.parquet",
        ("record_id", "term_start", "sessions_possible", "sessions_missed", "exclusions"),
        ("term_start",),
    ),
    SourceFile("police", "local/police.parquet", (*_EVENT, "event"), ("date",)),
    SourceFile("social_care", "local/social_care.parquet", (*_EVENT, "event"), ("date",)),
    SourceFile("domestic_abuse", "local/domestic_abuse.parquet", (*_EVENT, "role"), ("date",)),
    SourceFile("housing", "local/housing.parquet", (*_EVENT, "event"), ("date",)),
    SourceFile("benefits_debt", "local/benefits_debt.parquet", (*_EVENT, "event"), ("date",)),
    SourceFile("health", "local/health.parquet", (*_EVENT, "flag"), ("date",)),
)
STATUSES = ("joined", "waiting", "never")


def _find(folder: Path, source: SourceFile) -> Path | None:
    parquet = folder / source.relative
    csv = parquet.with_suffix(".csv")
    for candidate in (parquet, csv):
        if candidate.is_file():
            return candidate
    if source.optional:
        return None
    raise InputFileError(
        f"the council folder has no {source.table} file",
        where=str(parquet),
        fix=f"provide {source.relative} (or the same name ending .csv)",
    )


def _as_dates(table: pa.Table, column: str, where: str) -> pa.Table:
    if column not in table.column_names or pa.types.is_date(table.schema.field(column).type):
        return table
    values = table.column(column)
    try:
        parsed = pc.cast(pc.strptime(values, format="%Y-%m-%d", unit="s", error_is_null=True), pa.date32())
    except pa.ArrowInvalid:
        raise InputFileError(f"column {column} is not a date column", where=where) from None
    bad = pc.and_(pc.is_valid(values), pc.is_null(parsed))
    if pc.any(bad).as_py():
        row = pc.index(bad, True).as_py() + 1
        raise InputFileError(
            f"column {column} holds a value that is not a date in YYYY-MM-DD form",
            where=f"{where}, row {row}, column {column}",
            fix="correct that row (dates must be real calendar dates, e.g. 2016-03-31)",
        )
    return table.set_column(table.column_names.index(column), column, parsed)


def _check_statuses(table: pa.Table, where: str) -> None:
    status = table.column("status")
    bad = pc.invert(pc.is_in(status, value_set=pa.array(STATUSES)))
    if pc.any(bad).as_py():
        row = pc.index(bad, True).as_py() + 1
        raise InputFileError(
            f"status must be one of {', '.join(STATUSES)}",
            where=f"{where}, row {row}, column status",
        )


def read_council_folder(folder: Path) -> dict[str, pa.Table]:
    """Read and check every file of a council folder; raises on the first problem, writes nothing."""
    tables: dict[str, pa.Table] = {}
    for source in SOURCES:
        path = _find(folder, source)
        if path is None:
            continue
        table = read_table(path)
        require_columns(table, source.required, str(path))
        if source.unique_key:
            duplicate = first_duplicate_rows(table.column(source.unique_key))
            if duplicate:
                raise InputFileError(
                    f"{source.unique_key} must be unique but two rows share one",
                    where=f"{path}, rows {duplicate[0]} and {duplicate[1]}, column {source.unique_key}",
                    fix="remove the duplicate record or give it its own reference",
                )
        for column in source.dates:
            table = _as_dates(table, column, str(path))
        if source.table == "case_list":
            _check_statuses(table, str(path))
            if "waiting_list_date" not in table.column_names:
                table = table.append_column("waiting_list_date", pa.nulls(table.num_rows, pa.date32()))
        tables[source.table] = table
    return tables
