"""Standardise a whole people table in one DuckDB statement, and count what failed its checks.

Why one SQL statement: national-scale inputs (1.5 million records and more) must standardise in
seconds, so every rule runs as a vectorised macro (see sql.py) inside DuckDB, with the nickname table
joined rather than looked up row by row. Nothing here logs or raises with a value in it: a value that
fails a check is kept as recorded in its `*_std` column and flagged `*_valid = false`, so the quality
report can count it and exact-identifier matching can leave it out.
"""

from __future__ import annotations

from datetime import date

import duckdb

from famlink.errors import InputFileError
from famlink.identifiers import rules
from famlink.identifiers.nicknames import NICKNAME_TABLE, register_nicknames
from famlink.identifiers.sql import (
    dob_part_columns,
    dob_read_columns,
    dob_value,
    identifier_read_columns,
    install_macros,
    sql_string,
)

PERSON_INPUTS = (
    "first_name",
    "middle_names",
    "surname",
    "sex",
    "date_of_birth",
    "postcode",
    "address",
    "nhs_number",
    "nino",
    "upn",
)
"""Person-schema columns read; each may be absent from the source (then treated as all missing)."""

OUTPUT_COLUMNS = (
    "record_id",
    "first_name_std",
    "middle_names_std",
    "surname_std",
    "surname_parts",
    "first_name_formal",
    "sex_std",
    "dob",
    "dob_valid",
    "dob_transposed",
    "postcode_std",
    "postcode_outward",
    "postcode_sector",
    "postcode_valid",
    "address_std",
    "nhs_number_std",
    "nhs_number_valid",
    "nhs_number_key",
    "nino_std",
    "nino_valid",
    "nino_key",
    "upn_std",
    "upn_valid",
    "upn_key",
)
"""Columns `standardise_people` creates, in order; every other source column follows unchanged."""

VALIDITY_FLAGS = {
    "date_of_birth": "dob_valid",
    "postcode": "postcode_valid",
    "nhs_number": "nhs_number_valid",
    "nino": "nino_valid",
    "upn": "upn_valid",
}
"""Recorded column -> its flag: NULL when missing, false when recorded but failing its check."""

_NAME_INPUTS = ("first_name", "middle_names", "surname", "address")
_SQUEEZED_INPUTS = ("postcode", "nhs_number", "nino", "upn")


def standardise_people(
    con: duckdb.DuckDBPyConnection, source: str, target: str, *, as_of: date | None = None
) -> None:
    """Create table `target` from table or view `source` (person schema) with standardised columns.

    `as_of` is the date no birth can follow, and the pivot for two-digit years (default today).
    Row order is not preserved: join on record_id.
    """
    columns = source_columns(con, source)
    if "record_id" not in columns:
        raise InputFileError(
            "the people table has no record_id column",
            where=f"table {source}",
            fix="give every record an id in a column named record_id",
        )
    install_macros(con)
    register_nicknames(con)
    con.execute(_standardise_sql(source, target, columns, as_of or date.today()))


def source_columns(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    """Lower-case column name -> the name as the source spells it."""
    result = con.execute(f"SELECT * FROM {quote_name(source)} LIMIT 0")
    names = [d[0] for d in result.description]
    result.fetchall()
    return {name.lower(): name for name in names}


def quote_name(name: str) -> str:
    """Quote a possibly schema-qualified table name (`main.people` -> `"main"."people"`)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def invalid_counts(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    """Recorded values that failed their check, per recorded column, for the quality report."""
    return _flag_counts(con, table, "= false")


def missing_counts(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, int]:
    """Values missing or blank, per recorded column (a missing value is not an invalid one)."""
    return _flag_counts(con, table, "IS NULL")


def _flag_counts(con: duckdb.DuckDBPyConnection, table: str, condition: str) -> dict[str, int]:
    counts = ", ".join(
        f"count(*) FILTER (WHERE {flag} {condition}) AS {column}" for column, flag in VALIDITY_FLAGS.items()
    )
    row = con.execute(f"SELECT {counts} FROM {quote_name(table)}").fetchall()[0]
    return {column: int(value) for column, value in zip(VALIDITY_FLAGS, row, strict=True)}


def _raw(column: str, columns: dict[str, str]) -> str:
    if column in columns:
        return f"CAST(src.{quote_name(columns[column])} AS VARCHAR)"
    return "CAST(NULL AS VARCHAR)"


def _stage_raw(source: str, columns: dict[str, str]) -> str:
    raws = [f"{_raw(c, columns)} AS __fl_raw_{c}" for c in PERSON_INPUTS]
    unaccented = [f"famlink_unaccent({_raw(c, columns)}) AS __fl_a_{c}" for c in _NAME_INPUTS]
    return f"SELECT src.*, {', '.join([*raws, *unaccented])} FROM {quote_name(source)} AS src"


def _stage_prepared() -> str:
    names = [f"famlink_latin_base(__fl_a_{c}) AS __fl_b_{c}" for c in _NAME_INPUTS]
    squeezed = [f"famlink_squeeze(__fl_raw_{c}) AS __fl_sq_{c}" for c in _SQUEEZED_INPUTS]
    dob = f"nullif(trim(__fl_raw_date_of_birth, {sql_string(rules.EDGE_WHITESPACE)}), '') AS __fl_dob_t"
    return f"SELECT raw.*, {', '.join([*names, *squeezed, dob])} FROM raw"


def _stage_compacted() -> str:
    compact = [f"famlink_ascii_upper(__fl_sq_{c}) AS __fl_c_{c}" for c in _SQUEEZED_INPUTS]
    dob = "CASE WHEN strlen(__fl_dob_t) = length(__fl_dob_t) THEN upper(__fl_dob_t) END AS __fl_dob_u"
    names = [
        "famlink_name_whole(__fl_b_first_name) AS __fl_first",
        "famlink_name_whole(__fl_b_surname) AS __fl_surname",
        "famlink_name_parts(__fl_b_surname) AS __fl_parts",
        "famlink_sex(__fl_raw_sex) AS __fl_sex",
    ]
    return f"SELECT prepared.*, {', '.join([*compact, dob, *names])} FROM prepared"


def _unless_missing(column: str, check: str) -> str:
    """The check's answer, or NULL when nothing was recorded (missing is not invalid)."""
    return f"CASE WHEN coalesce(__fl_sq_{column}, '') = '' THEN NULL ELSE {check} END AS __fl_ok_{column}"


def _stage_read() -> str:
    shapes = [
        _unless_missing("nino", "famlink_nino_ok(__fl_c_nino)"),
        _unless_missing("postcode", "famlink_postcode_ok(__fl_c_postcode)"),
    ]
    columns = [*identifier_read_columns(), *shapes, *dob_read_columns("__fl_dob_u")]
    return f"SELECT compacted.*, {', '.join(columns)} FROM compacted"


def _stage_parts(as_of: str) -> str:
    return f"SELECT read.*, {', '.join(dob_part_columns(as_of))} FROM read"


def _stage_checked(as_of: str) -> str:
    flags = [
        _unless_missing("nhs_number", "famlink_nhs_ok(__fl_n_nhs_number)"),
        _unless_missing("upn", "famlink_upn_ok(__fl_c_upn, __fl_n_upn, __fl_last_upn)"),
        f"{dob_value(as_of)} AS __fl_dob",
    ]
    return f"SELECT parts.*, {', '.join(flags)} FROM parts"


def _identifier_outputs(column: str) -> list[str]:
    ok, compact, raw = f"__fl_ok_{column}", f"__fl_c_{column}", f"__fl_raw_{column}"
    return [
        f"CASE WHEN {ok} THEN {compact} WHEN NOT {ok} THEN {raw} END AS {column}_std",
        f"{ok} AS {column}_valid",
        f"CASE WHEN {ok} THEN {compact} END AS {column}_key",
    ]


def _postcode_outputs() -> list[str]:
    ok, code = "__fl_ok_postcode", "__fl_c_postcode"
    outward = f"left({code}, length({code}) - 3)"
    return [
        f"CASE WHEN {ok} THEN {outward} || ' ' || right({code}, 3) "
        f"WHEN NOT {ok} THEN __fl_raw_postcode END AS postcode_std",
        f"CASE WHEN {ok} THEN {outward} END AS postcode_outward",
        f"CASE WHEN {ok} THEN {outward} || ' ' || substr(right({code}, 3), 1, 1) END AS postcode_sector",
        f"{ok} AS postcode_valid",
    ]


def _person_outputs() -> list[str]:
    return [
        "checked.record_id AS record_id",
        "__fl_first AS first_name_std",
        "famlink_name_words(__fl_b_middle_names) AS middle_names_std",
        "__fl_surname AS surname_std",
        "CASE WHEN __fl_surname IS NULL THEN NULL "
        "WHEN list_contains(__fl_parts, __fl_surname) THEN __fl_parts "
        "ELSE list_append(__fl_parts, __fl_surname) END AS surname_parts",
        f"coalesce({NICKNAME_TABLE}.formal, __fl_first) AS first_name_formal",
        "__fl_sex AS sex_std",
        "__fl_dob AS dob",
        "CASE WHEN __fl_dob_t IS NULL THEN NULL ELSE __fl_dob IS NOT NULL END AS dob_valid",
        "CASE WHEN day(__fl_dob) <= 12 AND day(__fl_dob) <> month(__fl_dob) "
        "THEN make_date(year(__fl_dob), day(__fl_dob), month(__fl_dob)) END AS dob_transposed",
    ]


def _standardise_sql(source: str, target: str, columns: dict[str, str], as_of: date) -> str:
    literal = f"DATE {sql_string(as_of.isoformat())}"
    outputs = [
        *_person_outputs(),
        *_postcode_outputs(),
        "famlink_address(__fl_b_address) AS address_std",
        *_identifier_outputs("nhs_number"),
        *_identifier_outputs("nino"),
        *_identifier_outputs("upn"),
    ]
    carried = [
        f"checked.{quote_name(name)}"
        for lower, name in columns.items()
        if lower not in OUTPUT_COLUMNS and not lower.startswith("__fl_")
    ]
    join = (
        f"LEFT JOIN {NICKNAME_TABLE} ON {NICKNAME_TABLE}.name = checked.__fl_first "
        f"AND ({NICKNAME_TABLE}.sex IS NULL OR {NICKNAME_TABLE}.sex = checked.__fl_sex)"
    )
    return (
        f"CREATE OR REPLACE TABLE {quote_name(target)} AS "
        f"WITH raw AS ({_stage_raw(source, columns)}), "
        f"prepared AS ({_stage_prepared()}), "
        f"compacted AS ({_stage_compacted()}), "
        f"read AS ({_stage_read()}), "
        f"parts AS ({_stage_parts(literal)}), "
        f"checked AS ({_stage_checked(literal)}) "
        f"SELECT {', '.join([*outputs, *carried])} FROM checked {join}"
    )
