"""Name cleaning, nicknames, sex codes, missing columns and the quality-report counts."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pytest

from famlink.errors import InputFileError
from famlink.identifiers import (
    OUTPUT_COLUMNS,
    formal_name,
    invalid_counts,
    load_nicknames,
    missing_counts,
    standardise_people,
)

AS_OF = date(2026, 11, 21)


def load(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list[Any]]) -> None:
    """Create table `name` from columns of equal length (VARCHAR unless the values are ints or dates)."""

    def sql_type(values: list[Any]) -> str:
        present = [v for v in values if v is not None]
        if present and all(isinstance(v, int) for v in present):
            return "BIGINT"
        return "DATE" if present and all(isinstance(v, date) for v in present) else "VARCHAR"

    con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {sql_type(v)}' for c, v in columns.items())})")
    rows = [list(row) for row in zip(*columns.values(), strict=True)]
    con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in columns)})", rows)


def standardise(columns: dict[str, list[Any]]) -> list[dict[str, Any]]:
    con = duckdb.connect()
    load(con, "people", columns)
    standardise_people(con, "people", "people_std", as_of=AS_OF)
    result = con.execute("SELECT * FROM people_std ORDER BY record_id")
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


@pytest.fixture(scope="module")
def batch() -> dict[str, dict[str, Any]]:
    """The name, nickname, sex, middle-name and address examples standardised in ONE run, by record_id."""
    rows: list[dict[str, Any]] = []
    rows += [{"record_id": f"name{i}", "first_name": f, "surname": s} for i, (f, s, *_) in enumerate(NAMES)]
    rows += [{"record_id": f"nick{i}", "first_name": f, "sex": x} for i, (f, x, _) in enumerate(NICKNAMES)]
    rows += [{"record_id": f"sex{i}", "sex": x} for i, (x, _) in enumerate(SEXES)]
    rows += [{"record_id": "middle", "middle_names": "  Anne-Marie   Louise,Jo "}]
    rows += [{"record_id": "address", "address": "Flat 2, 14-16 St. John's Rd."}]
    names = ("record_id", "first_name", "middle_names", "surname", "sex", "address")
    table = {n: [r.get(n) for r in rows] for n in names}
    return {row["record_id"]: row for row in standardise(table)}


NAMES = [
    # recorded first name, surname -> first_name_std, surname_std, surname_parts
    ("Bill", "O'Brien", "BILL", "OBRIEN", ["OBRIEN"]),
    ("bill", "OBRIEN", "BILL", "OBRIEN", ["OBRIEN"]),
    ("Zoë", "Smith-Jones", "ZOE", "SMITHJONES", ["SMITH", "JONES", "SMITHJONES"]),
    ("Chloé", "Smith Jones", "CHLOE", "SMITHJONES", ["SMITH", "JONES", "SMITHJONES"]),
    ("Mary-Jane", "SMITHJONES", "MARYJANE", "SMITHJONES", ["SMITHJONES"]),
    ("Siobhán", "Ó Ceallaigh", "SIOBHAN", "OCEALLAIGH", ["CEALLAIGH", "OCEALLAIGH"]),
    ("Łukasz", "Nowak-Wójcik", "LUKASZ", "NOWAKWOJCIK", ["NOWAK", "WOJCIK", "NOWAKWOJCIK"]),
    ("Søren", "Müller", "SOREN", "MULLER", ["MULLER"]),
    ("  Jo ", "D’Souza", "JO", "DSOUZA", ["DSOUZA"]),
    ("Anne-Marie", "St. John-Smith", "ANNEMARIE", "STJOHNSMITH", ["JOHN", "SMITH", "STJOHNSMITH"]),
    ("Æthelred", "Straße", "AETHELRED", "STRASSE", ["STRASSE"]),
    ("Ali", "Al-Hassan", "ALI", "ALHASSAN", ["HASSAN", "ALHASSAN"]),  # AL is a particle, not a part
    ("Jan", "van der Berg", "JAN", "VANDERBERG", ["BERG", "VANDERBERG"]),
    ("...", "-", None, None, None),
]


@pytest.mark.parametrize(("first", "surname", "first_std", "surname_std", "parts"), NAMES)
def test_names_are_upper_case_ascii_letters_with_punctuation_folded(
    batch: dict[str, dict[str, Any]],
    first: str,
    surname: str,
    first_std: str | None,
    surname_std: str | None,
    parts: list[str] | None,
) -> None:
    row = batch[f"name{[n[:2] for n in NAMES].index((first, surname))}"]
    assert (row["first_name_std"], row["surname_std"], row["surname_parts"]) == (
        first_std,
        surname_std,
        parts,
    )
    assert (row["first_name"], row["surname"]) == (first, surname)  # the recorded values are kept


def test_middle_names_keep_one_space_between_names(batch: dict[str, dict[str, Any]]) -> None:
    assert batch["middle"]["middle_names_std"] == "ANNEMARIE LOUISE JO"


def test_address_is_upper_case_words(batch: dict[str, dict[str, Any]]) -> None:
    assert batch["address"]["address_std"] == "FLAT 2 14 16 ST JOHNS RD"


NICKNAMES = [
    ("Bill", "M", "WILLIAM"),
    ("Bill", None, "WILLIAM"),  # BILL means WILLIAM whatever the recorded sex
    ("Peggy", "F", "MARGARET"),
    ("Alex", "M", "ALEXANDER"),
    ("Alex", "F", "ALEXANDRA"),
    ("Alex", None, "ALEX"),  # ambiguous without a sex: no guess
    ("Sam", "2", "SAMANTHA"),
    ("Kasia", "F", "KATARZYNA"),
    ("Muhammad", "M", "MOHAMMED"),
    ("Femi", "M", "OLUWAFEMI"),
    ("William", "M", "WILLIAM"),  # a formal name stays itself
    ("Xyzzy", "M", "XYZZY"),
    (None, "M", None),
]


@pytest.mark.parametrize(("first", "sex", "formal"), NICKNAMES)
def test_nicknames_map_to_a_formal_name_as_an_extra_field(
    batch: dict[str, dict[str, Any]], first: str | None, sex: str | None, formal: str | None
) -> None:
    row = batch[f"nick{[n[:2] for n in NICKNAMES].index((first, sex))}"]
    assert row["first_name_formal"] == formal
    assert row["first_name_std"] == (first.upper() if first else None)  # never overwritten


def test_nickname_table_is_large_unambiguous_and_matches_the_scalar_lookup() -> None:
    rows = load_nicknames()
    assert len(rows) >= 300
    keys = [(r.name, r.sex) for r in rows]
    assert len(keys) == len(set(keys))
    assert formal_name("PEGGY") == "MARGARET"
    assert formal_name("ALEX") is None and formal_name("ALEX", "F") == "ALEXANDRA"


SEXES = [
    ("M", "M"),
    ("male", "M"),
    (" 1 ", "M"),
    ("F", "F"),
    ("Female", "F"),
    ("2", "F"),
    ("U", None),
    ("9", None),
    ("", None),
]


@pytest.mark.parametrize(("recorded", "expected"), SEXES)
def test_sex_codes(batch: dict[str, dict[str, Any]], recorded: str, expected: str | None) -> None:
    assert batch[f"sex{[x for x, _ in SEXES].index(recorded)}"]["sex_std"] == expected


def test_works_when_identifier_columns_are_absent() -> None:
    (row,) = standardise({"record_id": ["1"]})
    assert list(row)[: len(OUTPUT_COLUMNS)] == list(OUTPUT_COLUMNS)
    assert all(row[c] is None for c in OUTPUT_COLUMNS if c != "record_id")


def test_works_when_every_identifier_is_null() -> None:
    nulls = [None, None]
    columns: dict[str, Any] = {"record_id": ["1", "2"]}
    for name in ("first_name", "middle_names", "surname", "sex", "date_of_birth", "postcode", "address",
                 "nhs_number", "nino", "upn"):  # fmt: skip
        columns[name] = nulls
    rows = standardise(columns)
    assert all(row[c] is None for row in rows for c in OUTPUT_COLUMNS if c != "record_id")


def test_other_columns_are_carried_through_unchanged() -> None:
    (row,) = standardise(
        {"record_id": ["1"], "ethnicity": ["Mixed"], "_row": [7], "nhs_number": ["943 476 5919"]}
    )
    assert (row["ethnicity"], row["_row"], row["nhs_number"]) == ("Mixed", 7, "943 476 5919")


def test_date_typed_source_column_is_read() -> None:
    (row,) = standardise({"record_id": ["1"], "date_of_birth": [date(1984, 3, 7)]})
    assert (row["dob"], row["dob_valid"]) == (date(1984, 3, 7), True)


def test_invalid_and_missing_counts_per_column() -> None:
    con = duckdb.connect()
    load(
        con,
        "people",
        {
            "record_id": ["1", "2", "3", "4"],
            "nhs_number": ["9434765919", "9434765918", None, "12"],
            "nino": ["AB123456C", "GB123456A", "", None],
            "date_of_birth": ["31/02/2001", "1984-03-07", None, "07/03/1984"],
        },
    )
    standardise_people(con, "people", "std", as_of=AS_OF)
    assert invalid_counts(con, "std") == {
        "date_of_birth": 1,
        "postcode": 0,
        "nhs_number": 2,
        "nino": 1,
        "upn": 0,
    }
    assert missing_counts(con, "std") == {
        "date_of_birth": 1,
        "postcode": 4,
        "nhs_number": 1,
        "nino": 2,
        "upn": 4,
    }


def test_no_record_id_is_refused_without_showing_values() -> None:
    con = duckdb.connect()
    load(con, "people", {"nhs_number": ["9434765919"]})
    with pytest.raises(InputFileError) as caught:
        standardise_people(con, "people", "std")
    assert "record_id" in str(caught.value)
    assert "9434765919" not in str(caught.value)
