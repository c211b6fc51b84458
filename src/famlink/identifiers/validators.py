"""Scalar checks of one identifier at a time, for tests, small inputs and interactive use.

Bulk work goes through `standardise_people` (DuckDB SQL); these functions exist so that a single value
can be checked without a database, and they agree with the SQL exactly: both are built from the rules
in `rules.py`, and a property test compares them on random strings. Each `*_standard` function
returns the standard form of a valid value and None for a missing or invalid one, which is the value
a caller may use for exact-identifier matching.
"""

from __future__ import annotations

import re
from datetime import date

from famlink.identifiers import rules

_SEPARATORS = re.compile(rules.SEPARATOR_CLASS)
_NHS = re.compile(rules.NHS_NUMBER_PATTERN)
_NINO = re.compile(rules.NINO_PATTERN)
_UPN = re.compile(rules.UPN_PATTERN)
_POSTCODE = re.compile(rules.POSTCODE_PATTERN)
_DOB_ISO = re.compile(rules.DOB_ISO_PATTERN)
_DOB_DAY_FIRST = re.compile(rules.DOB_DAY_FIRST_PATTERN)
_DOB_EIGHT = re.compile(rules.DOB_EIGHT_DIGITS_PATTERN)
_DOB_SIX = re.compile(rules.DOB_SIX_DIGITS_PATTERN)
_DOB_MONTH_NAME = re.compile(rules.DOB_MONTH_NAME_PATTERN)


def compact(value: str | None) -> str | None:
    """Remove separators and upper-case; None when missing, blank, or not plain ASCII.

    Non-ASCII text is refused rather than upper-cased because Unicode upper-casing maps some
    characters onto ASCII letters (dotless i becomes I), which would let look-alikes pass a check.
    """
    if value is None:
        return None
    squeezed = _SEPARATORS.sub("", value)
    if not squeezed or not squeezed.isascii():
        return None
    return squeezed.upper()


def nhs_number_is_valid(value: str | None) -> bool:
    """Ten digits whose mod-11 check digit is right (a check of 10 means never issued)."""
    digits = compact(value)
    if digits is None or not _NHS.fullmatch(digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], rules.NHS_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return False
    return (0 if check == 11 else check) == int(digits[9])


def nino_is_valid(value: str | None) -> bool:
    """Two allowed prefix letters (not an unallocated pair), six digits and a suffix A-D."""
    nino = compact(value)
    if nino is None or not _NINO.fullmatch(nino):
        return False
    return nino[:2] not in rules.NINO_UNALLOCATED_PREFIXES


def upn_is_valid(value: str | None) -> bool:
    """Thirteen characters whose first letter is the weighted mod-23 check letter of the other twelve."""
    upn = compact(value)
    if upn is None or not _UPN.fullmatch(upn):
        return False
    return upn[0] == rules.UPN_ALPHABET[upn_check_sum(upn) % 23]


def upn_check_sum(upn: str) -> int:
    """Sum of each character's value times its 1-based position, over positions 2 to 13."""
    total = 0
    for position, char in enumerate(upn[1:13], start=2):
        value = int(char) if char.isdigit() else rules.UPN_ALPHABET.index(char)
        total += value * position
    return total


def postcode_is_valid(value: str | None) -> bool:
    """A UK postcode in any spacing and case whose letters are allowed in their positions."""
    code = compact(value)
    return code is not None and _POSTCODE.fullmatch(code) is not None


def nhs_number_standard(value: str | None) -> str | None:
    """`9434765919` for a valid NHS number however spaced; None otherwise."""
    return compact(value) if nhs_number_is_valid(value) else None


def nino_standard(value: str | None) -> str | None:
    """`AB123456C` for a valid NINO however spaced or cased; None otherwise."""
    return compact(value) if nino_is_valid(value) else None


def upn_standard(value: str | None) -> str | None:
    """The upper-case 13-character UPN when valid; None otherwise."""
    return compact(value) if upn_is_valid(value) else None


def postcode_standard(value: str | None) -> str | None:
    """`SW1A 1AA`: upper case with one space before the inward code, when valid; None otherwise."""
    code = compact(value)
    if code is None or not _POSTCODE.fullmatch(code):
        return None
    return f"{code[:-3]} {code[-3:]}"


def parse_date_of_birth(value: str | None, as_of: date | None = None) -> date | None:
    """Read a date of birth in any format councils send; None when missing, unreadable or impossible.

    Day-first (UK) order always: `07/03/1984` is 7 March, never 3 July. Two-digit years take the
    century that puts them at or before `as_of` (default today). Dates before 1880 or after `as_of`
    are impossible for a living record and read as None, like 31/02/2001.
    """
    if value is None:
        return None
    text = value.strip(rules.EDGE_WHITESPACE)
    if not text or not text.isascii():
        return None
    text = text.upper()
    as_of = as_of or date.today()
    for candidate in _candidate_dates(text, as_of.year):
        parsed = _plausible_date(*candidate, as_of)
        if parsed is not None:
            return parsed
    return None


def _candidate_dates(text: str, as_of_year: int) -> list[tuple[int, int, int]]:
    """(year, month, day) readings of `text`, in the order they are tried."""
    if match := _DOB_ISO.fullmatch(text):
        return [(int(match[1]), int(match[2]), int(match[3]))]
    if match := _DOB_DAY_FIRST.fullmatch(text):
        return [(_full_year(match[3], as_of_year), int(match[2]), int(match[1]))]
    if _DOB_EIGHT.fullmatch(text):
        return [
            (int(text[:4]), int(text[4:6]), int(text[6:])),
            (int(text[4:]), int(text[2:4]), int(text[:2])),
        ]
    if _DOB_SIX.fullmatch(text):
        return [(_full_year(text[4:], as_of_year), int(text[2:4]), int(text[:2]))]
    if match := _DOB_MONTH_NAME.fullmatch(text):
        month = rules.MONTH_ABBREVIATIONS.index(match[2][:3]) + 1
        return [(_full_year(match[3], as_of_year), month, int(match[1]))]
    return []


def _full_year(digits: str, as_of_year: int) -> int:
    year = int(digits)
    return rules.two_digit_year_to_full(year, as_of_year) if len(digits) == 2 else year


def _plausible_date(year: int, month: int, day: int, as_of: date) -> date | None:
    if year < rules.EARLIEST_BIRTH_YEAR:
        return None
    try:
        parsed = date(year, month, day)
    except ValueError:
        return None
    return parsed if parsed <= as_of else None
