"""The scalar Python validators and the vectorised SQL must agree on every input, valid or not.

Both are built from the same rules (famlink.identifiers.rules) but run on different regex engines and
string functions; these tests feed them random strings, strings shaped like each identifier, and
random valid identifiers, and compare every answer. Each example is one batch of values so that a
single DuckDB run checks many of them.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from famlink.identifiers import (
    nhs_number_is_valid,
    nhs_number_standard,
    nino_is_valid,
    nino_standard,
    parse_date_of_birth,
    postcode_is_valid,
    postcode_standard,
    rules,
    standardise_people,
    upn_is_valid,
    upn_standard,
)

AS_OF = date(2026, 11, 21)
CHECKED = ("nhs_number", "nino", "upn", "postcode", "date_of_birth")
ODD_CHARACTERS = "ı９ßéſ\u00a0\x0b'"
ALPHABET = "0123456789ABCDEGHJKMNPRSTWXYZabcdz -/.:\t\n" + ODD_CHARACTERS


def sql_rows(values: list[str | None]) -> list[dict[str, Any]]:
    """Standardise each value as every identifier at once; rows in input order."""
    con = duckdb.connect()
    copies = ", ".join(f"v AS {c}" for c in CHECKED)
    con.execute(
        f"CREATE TABLE people AS SELECT i AS record_id, {copies} "
        "FROM (SELECT unnest($values) AS v, generate_subscripts($values, 1) AS i)",
        {"values": values},
    )
    standardise_people(con, "people", "std", as_of=AS_OF)
    result = con.execute("SELECT * FROM std ORDER BY record_id")
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def disagreements(values: list[str | None]) -> list[tuple[int, str]]:
    """(position, check) for every value where Python and SQL differ."""
    checks = {
        "nhs_number": (nhs_number_is_valid, nhs_number_standard),
        "nino": (nino_is_valid, nino_standard),
        "upn": (upn_is_valid, upn_standard),
        "postcode": (postcode_is_valid, postcode_standard),
    }
    found = []
    for i, (value, row) in enumerate(zip(values, sql_rows(values), strict=True)):
        for column, (is_valid, standard) in checks.items():
            prefix = "nhs_number" if column == "nhs_number" else column
            if is_valid(value) != (row[f"{prefix}_valid"] is True):
                found.append((i, f"{column} validity"))
            if column != "postcode" and standard(value) != row[f"{prefix}_key"]:
                found.append((i, f"{column} key"))
            if column == "postcode" and standard(value) != (
                row["postcode_std"] if row["postcode_valid"] else None
            ):
                found.append((i, "postcode standard form"))
            if row[f"{prefix}_valid"] is False and row[f"{prefix}_std"] != value:
                found.append((i, f"{column} not kept as recorded"))
        if parse_date_of_birth(value, AS_OF) != row["dob"]:
            found.append((i, "date of birth"))
    return found


def valid_nhs_number(rng: random.Random) -> str:
    while True:
        digits = "999" + "".join(rng.choice("0123456789") for _ in range(6))
        check = (11 - sum(int(d) * w for d, w in zip(digits, rules.NHS_WEIGHTS, strict=True)) % 11) % 11
        if check != 10:
            return digits + str(check)


def valid_upn(rng: random.Random) -> str:
    last = rng.choice("0123456789" + rules.UPN_ALPHABET)
    body = "".join(rng.choice("0123456789") for _ in range(11)) + last
    total = sum(
        (int(c) if c.isdigit() else rules.UPN_ALPHABET.index(c)) * p for p, c in enumerate(body, start=2)
    )
    return rules.UPN_ALPHABET[total % 23] + body


def valid_nino(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(rules.NINO_FIRST_LETTERS) + rng.choice(rules.NINO_SECOND_LETTERS)
        if prefix not in rules.NINO_UNALLOCATED_PREFIXES:
            return prefix + "".join(rng.choice("0123456789") for _ in range(6)) + rng.choice("ABCD")


@st.composite
def valid_identifiers(draw: st.DrawFn) -> str:
    rng = random.Random(draw(st.integers(0, 2**32)))
    value = rng.choice([valid_nhs_number, valid_upn, valid_nino])(rng)
    return value.lower() if draw(st.booleans()) else value


shaped = st.one_of(
    st.from_regex(rules.POSTCODE_PATTERN, fullmatch=True),
    st.from_regex(rules.NINO_PATTERN, fullmatch=True),
    st.from_regex(rules.UPN_PATTERN, fullmatch=True),
    st.from_regex(rules.NHS_NUMBER_PATTERN, fullmatch=True),
    st.from_regex(rules.DOB_ISO_PATTERN, fullmatch=True),
    st.from_regex(rules.DOB_DAY_FIRST_PATTERN, fullmatch=True),
    st.from_regex(rules.DOB_MONTH_NAME_PATTERN, fullmatch=True),
    st.from_regex("[0-9]{6}|[0-9]{8}", fullmatch=True),
)
anything = st.one_of(
    st.text(alphabet=ALPHABET, max_size=16), st.text(max_size=8).filter(lambda s: "\x00" not in s)
)
values = st.lists(st.one_of(st.none(), anything, shaped, valid_identifiers()), min_size=1, max_size=150)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(values)
def test_python_and_sql_agree_on_random_and_shaped_strings(batch: list[str | None]) -> None:
    assert disagreements(batch) == []


def test_python_and_sql_agree_on_thousands_of_valid_identifiers_and_near_misses() -> None:
    rng = random.Random(20261121)
    batch: list[str | None] = []
    for _ in range(700):
        value = rng.choice([valid_nhs_number, valid_upn, valid_nino])(rng)
        position = rng.randrange(len(value))
        typo = value[:position] + rng.choice("0123456789ABCDZ") + value[position + 1 :]
        batch += [value, typo, value[:position] + " " + value[position:]]
    found = disagreements(batch)
    assert found == []
    assert sum(nhs_number_is_valid(v) or upn_is_valid(v) or nino_is_valid(v) for v in batch) > 1400
