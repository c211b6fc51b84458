"""Spec tables for every identifier rule in docs/reference/identifiers.md (from uk-identifiers.md).

Each example is checked twice: by the scalar Python validator and by `standardise_people` in DuckDB,
so a rule cannot hold in one and not the other.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb
import pytest

from famlink.identifiers import (
    nhs_number_is_valid,
    nhs_number_standard,
    nino_is_valid,
    nino_standard,
    parse_date_of_birth,
    postcode_is_valid,
    postcode_standard,
    standardise_people,
    upn_is_valid,
    upn_standard,
)

AS_OF = date(2026, 11, 21)


CHECKED = ("nhs_number", "nino", "upn", "postcode", "date_of_birth")
MISSING = (None, "", "   ", "\t")
AMBIGUOUS_DATES = ("03/07/1984", "25/12/1990", "05/05/2000")


class Standardised:
    """Every example of this module standardised in ONE DuckDB run (keeps the suite fast).

    Row i carries one example in one column and NULL in the others, so the examples cannot interact.
    """

    def __init__(self, examples: dict[str, list[str | None]]) -> None:
        pairs = [(column, value) for column, values in examples.items() for value in values]
        con = duckdb.connect()
        con.execute(f"CREATE TABLE people (record_id INTEGER, {', '.join(f'{c} VARCHAR' for c in CHECKED)})")
        con.executemany(
            f"INSERT INTO people VALUES (?, {', '.join('?' for _ in CHECKED)})",
            [
                [i, *(value if c == column else None for c in CHECKED)]
                for i, (column, value) in enumerate(pairs)
            ],
        )
        standardise_people(con, "people", "people_std", as_of=AS_OF)
        result = con.execute("SELECT * FROM people_std ORDER BY record_id")
        names = [d[0] for d in result.description]
        rows = [dict(zip(names, row, strict=True)) for row in result.fetchall()]
        self.rows = {pair: row for pair, row in zip(pairs, rows, strict=True)}

    def __call__(self, column: str, value: str | None) -> dict[str, Any]:
        return self.rows[(column, value)]


@pytest.fixture(scope="module")
def sql() -> Standardised:
    examples: dict[str, list[str | None]] = {
        "nhs_number": [v for v, _ in NHS_NUMBERS],
        "nino": [v for v, _ in NINOS],
        "upn": [v for v, _ in UPNS_ALL],
        "postcode": [*(p[0] for p in POSTCODES), *INVALID_POSTCODES],
        "date_of_birth": [*(v for v, _ in DATES), *IMPOSSIBLE_DATES, *AMBIGUOUS_DATES],
    }
    return Standardised({column: [*values, *MISSING] for column, values in examples.items()})


NHS_NUMBERS = [
    ("9434765919", True),  # uk-identifiers.md
    ("9995260182", True),
    ("9991590838", True),
    ("943 476 5919", True),  # written with spaces
    ("943-476-5919", True),
    ("9434765918", False),  # wrong check digit
    ("9995260183", False),
    ("9434765910", False),
    ("4934765919", False),  # two neighbouring digits swapped
    ("9990000010", False),  # check digit would be 10: never issued
    ("943476591", False),  # nine digits
    ("94347659190", False),  # eleven digits
    ("94347659I9", False),  # letter I for digit 1
    ("９434765919", False),  # full-width digit is not an ASCII digit
]


@pytest.mark.parametrize(("value", "valid"), NHS_NUMBERS)
def test_nhs_number_check_digit(sql: Standardised, value: str, valid: bool) -> None:
    assert nhs_number_is_valid(value) is valid
    row = sql("nhs_number", value)
    assert row["nhs_number_valid"] is valid
    assert row["nhs_number_std"] == (value.replace(" ", "").replace("-", "") if valid else value)
    assert row["nhs_number_key"] == nhs_number_standard(value)


def test_check_digit_ten_is_invalid_even_with_any_last_digit() -> None:
    # 999000001x: weighted sum of 999000001 is 9*10+9*9+9*8+1*2 = 245; 245 mod 11 = 3 -> check 8.
    # 999000010x: sum 9*10+9*9+9*8+1*3 = 246 -> 246 mod 11 = 4 -> 7. Find a prefix whose check is 10:
    prefix = next(
        p
        for p in (f"999{n:06d}" for n in range(1000))
        if 11 - sum(int(d) * w for d, w in zip(p, range(10, 1, -1), strict=True)) % 11 == 10
    )
    assert not any(nhs_number_is_valid(prefix + str(d)) for d in range(10))


NINOS = [
    ("AB123456C", True),  # uk-identifiers.md
    ("JZ999999D", True),
    ("ab 12 34 56 c", True),  # spaced, lower case
    ("AB123456A", True),
    ("QQ123456C", False),  # Q never first, Q never second
    ("AO123456A", False),  # O never second
    ("GB123456A", False),  # unallocated prefix
    ("AB123456E", False),  # suffix beyond D
    ("BG123456A", False),
    ("KN123456A", False),
    ("NK123456A", False),
    ("NT123456A", False),
    ("TN123456A", False),
    ("ZZ123456A", False),
    ("DA123456A", False),  # D never first
    ("FA123456A", False),
    ("IA123456A", False),
    ("UA123456A", False),
    ("VA123456A", False),
    ("AD123456A", False),  # D never second
    ("AF123456A", False),
    ("AI123456A", False),
    ("AQ123456A", False),
    ("AU123456A", False),
    ("AV123456A", False),
    ("OA123456A", True),  # O is allowed first
    ("AB12345C", False),  # five digits
    ("AB123456", False),  # no suffix
]


@pytest.mark.parametrize(("value", "valid"), NINOS)
def test_nino_prefix_and_suffix_rules(sql: Standardised, value: str, valid: bool) -> None:
    assert nino_is_valid(value) is valid
    row = sql("nino", value)
    assert row["nino_valid"] is valid
    assert row["nino_std"] == (value.replace(" ", "").upper() if valid else value)
    assert row["nino_key"] == nino_standard(value)


UPNS = [
    ("B801200005001", True),  # uk-identifiers.md
    ("P207000016049", True),
    ("A801200005001", False),  # wrong check letter
    ("B207000016049", False),
    ("b801200005001", True),  # lower case is the same UPN
    ("I801200005001", False),  # I is not in the check alphabet
    ("B80120000500", False),  # twelve characters
    ("B8012000050011", False),
    ("B8012000050O1", False),  # O is not in the alphabet
]


TEMPORARY_UPN = "T80120000500M"
"""Positions 2-13: 8x2 + 1x4 + 2x5 + 5x10 + M x 13, where M is 11 in ABCDEFGHJKLMNPQRTUVWXYZ (no I):
16 + 4 + 10 + 50 + 143 = 223; 223 mod 23 = 16 -> T. Valuing M as 12 (the plain alphabet) gives G."""

UPNS_ALL = [*UPNS, (TEMPORARY_UPN, True), ("G80120000500M", False), ("t80120000500m", True)]


@pytest.mark.parametrize(("value", "valid"), UPNS_ALL)
def test_upn_check_letter(sql: Standardised, value: str, valid: bool) -> None:
    assert upn_is_valid(value) is valid
    row = sql("upn", value)
    assert row["upn_valid"] is valid
    assert row["upn_key"] == upn_standard(value)
    assert row["upn_std"] == (value.upper() if valid else value)


POSTCODES = [
    ("SW1A 1AA", "SW1A 1AA", "SW1A", "SW1A 1"),  # uk-identifiers.md valid examples
    ("EC1A 1BB", "EC1A 1BB", "EC1A", "EC1A 1"),
    ("W1A 0AX", "W1A 0AX", "W1A", "W1A 0"),
    ("CR2 6XH", "CR2 6XH", "CR2", "CR2 6"),
    ("DN55 1PT", "DN55 1PT", "DN55", "DN55 1"),
    ("sw1a1aa", "SW1A 1AA", "SW1A", "SW1A 1"),  # any case, any spacing
    (" m1  1ae ", "M1 1AE", "M1", "M1 1"),
    ("B33 8TH", "B33 8TH", "B33", "B33 8"),
    ("GIR 0AA", "GIR 0AA", "GIR", "GIR 0"),  # the special case
]


@pytest.mark.parametrize(("value", "std", "outward", "sector"), POSTCODES)
def test_valid_postcodes_take_standard_form(
    sql: Standardised, value: str, std: str, outward: str, sector: str
) -> None:
    assert postcode_is_valid(value)
    assert postcode_standard(value) == std
    row = sql("postcode", value)
    assert (row["postcode_std"], row["postcode_outward"], row["postcode_sector"]) == (std, outward, sector)
    assert row["postcode_valid"] is True


INVALID_POSTCODES = [
    "QA1 1AA",  # Q never first (uk-identifiers.md)
    "M1 1AC",  # C never a unit letter
    "SW1A 1AAA",  # too long
    "VA1 1AA",
    "XA1 1AA",
    "AI1 1AA",  # I, J, Z never second
    "AJ1 1AA",
    "AZ1 1AA",
    "M1 1IA",
    "M1 1KA",
    "M1 1MA",
    "M1 1OA",
    "M1 1VA",
    "M1 AAA",  # inward must start with a digit
    "1M 1AA",
    "SW1AA 1AA",
    "GIR 0AB",
]


@pytest.mark.parametrize("value", INVALID_POSTCODES)
def test_invalid_postcodes_are_kept_as_recorded_and_flagged(sql: Standardised, value: str) -> None:
    assert not postcode_is_valid(value)
    row = sql("postcode", value)
    assert row["postcode_valid"] is False
    assert row["postcode_std"] == value
    assert row["postcode_outward"] is None and row["postcode_sector"] is None


DATES = [
    ("1984-03-07", date(1984, 3, 7)),  # uk-identifiers.md
    ("07/03/1984", date(1984, 3, 7)),
    ("7.3.84", date(1984, 3, 7)),
    ("07-03-1984", date(1984, 3, 7)),
    ("19840307", date(1984, 3, 7)),
    ("07031984", date(1984, 3, 7)),  # DDMMYYYY when YYYYMMDD is not a date
    ("070384", date(1984, 3, 7)),
    ("7/3/1984", date(1984, 3, 7)),
    ("1984/03/07", date(1984, 3, 7)),
    ("1984-03-07 00:00:00", date(1984, 3, 7)),
    ("1984-03-07T00:00:00", date(1984, 3, 7)),
    ("07-MAR-1984", date(1984, 3, 7)),
    ("07MAR1984", date(1984, 3, 7)),
    ("7 March 1984", date(1984, 3, 7)),
    ("7 mar 84", date(1984, 3, 7)),
    ("7 Sept 1984", date(1984, 9, 7)),
    ("  07/03/1984\t", date(1984, 3, 7)),
    ("29/02/2000", date(2000, 2, 29)),  # leap year
    ("1.1.12", date(2012, 1, 1)),  # two-digit year at or before 2026 -> 2000s
    ("1.1.26", date(2026, 1, 1)),
    ("1.1.27", date(1927, 1, 1)),  # would be in the future -> 1900s
    ("21/11/2026", AS_OF),  # today is allowed
]


@pytest.mark.parametrize(("value", "expected"), DATES)
def test_date_of_birth_formats(sql: Standardised, value: str, expected: date) -> None:
    assert parse_date_of_birth(value, AS_OF) == expected
    row = sql("date_of_birth", value)
    assert (row["dob"], row["dob_valid"]) == (expected, True)


IMPOSSIBLE_DATES = [
    "31/02/2001",  # the brief's example
    "29/02/2001",  # not a leap year
    "31/04/2001",
    "00/01/2001",
    "01/13/2001",  # month first is never assumed: there is no month 13
    "2001-02-30",
    "22/11/2026",  # after the as-of date
    "01/01/1879",  # before 1880
    "1984-3",
    "not a date",
    "7th March 1984",
    "32.1.84",
]


@pytest.mark.parametrize("value", IMPOSSIBLE_DATES)
def test_impossible_dates_are_null_and_flagged(sql: Standardised, value: str) -> None:
    assert parse_date_of_birth(value, AS_OF) is None
    row = sql("date_of_birth", value)
    assert (row["dob"], row["dob_valid"]) == (None, False)
    assert row["date_of_birth"] == value  # the recorded value is carried through unchanged


def test_day_month_order_is_day_first_and_transposition_is_offered(sql: Standardised) -> None:
    # 03/07/1984 is 3 July in the UK, never 7 March; the transposed reading is kept for comparison.
    rows = [sql("date_of_birth", value) for value in AMBIGUOUS_DATES]
    assert rows[0]["dob"] == date(1984, 7, 3)
    assert rows[0]["dob_transposed"] == date(1984, 3, 7)
    assert rows[1]["dob_transposed"] is None  # day 25 cannot be a month: no ambiguity
    assert rows[2]["dob_transposed"] is None  # day equals month: swapping changes nothing


@pytest.mark.parametrize(
    ("column", "flag"),
    [("nhs_number", "nhs_number_valid"), ("nino", "nino_valid"), ("upn", "upn_valid"),
     ("postcode", "postcode_valid"), ("date_of_birth", "dob_valid")],
)  # fmt: skip
def test_missing_is_not_invalid(sql: Standardised, column: str, flag: str) -> None:
    assert [sql(column, value)[flag] for value in MISSING] == [None] * len(MISSING)
