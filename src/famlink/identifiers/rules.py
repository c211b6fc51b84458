"""The UK identifier rules written once, as data, so that the SQL and the Python validators cannot drift.

Both `sql.py` (the vectorised standardisation run on millions of rows) and `validators.py` (scalar
checks for tests and small inputs) build their checks from the patterns and alphabets below. Every
pattern uses explicit ASCII character classes (`[0-9]`, never `\\d`) and is anchored by each caller
(`^(?:...)$` in DuckDB's RE2, `re.fullmatch` in Python), because the two regex engines disagree on
what `\\d`, `\\s` and `$` mean for non-ASCII text and trailing newlines.

Source of every rule: docs/reference/identifiers.md, which follows
/work/shared/reference/uk-identifiers.md.
"""

from __future__ import annotations

SEPARATOR_CLASS = "[ \t\r\n-]"
"""Characters people put inside identifiers (`943 476 5919`, `AB 12 34 56 C`) that carry no meaning."""

EDGE_WHITESPACE = " \t\r\n"
"""Whitespace trimmed from both ends of a date of birth before it is parsed."""

NHS_NUMBER_PATTERN = "[0-9]{10}"
NHS_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)

NINO_FIRST_LETTERS = "ABCEGHJKLMNOPRSTWXYZ"
"""Every letter except D, F, I, Q, U and V."""
NINO_SECOND_LETTERS = "ABCEGHJKLMNPRSTWXYZ"
"""Every letter except D, F, I, O, Q, U and V."""
NINO_UNALLOCATED_PREFIXES = ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ")
NINO_PATTERN = f"[{NINO_FIRST_LETTERS}][{NINO_SECOND_LETTERS}][0-9]{{6}}[A-D]"

UPN_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"
"""23 letters (no I, O, S): the check letter is UPN_ALPHABET[sum mod 23]; a temporary UPN's final
letter counts as its index in this same alphabet."""
UPN_PATTERN = f"[{UPN_ALPHABET}][0-9]{{11}}[0-9{UPN_ALPHABET}]"

POSTCODE_FIRST_LETTERS = "ABCDEFGHIJKLMNOPRSTUWYZ"
"""Every letter except Q, V and X."""
POSTCODE_SECOND_LETTERS = "ABCDEFGHKLMNOPQRSTUVWXY"
"""Every letter except I, J and Z."""
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
"""Every letter except C, I, K, M, O and V."""
POSTCODE_OUTWARD_PATTERN = (
    f"[{POSTCODE_FIRST_LETTERS}]([0-9][0-9A-Z]?|[{POSTCODE_SECOND_LETTERS}][0-9][0-9A-Z]?)"
)
"""A9, A99, A9A, AA9, AA99 and AA9A."""
POSTCODE_PATTERN = f"GIR0AA|{POSTCODE_OUTWARD_PATTERN}[0-9][{POSTCODE_UNIT_LETTERS}]{{2}}"
"""Applied to the compact form (no spaces); the inward code is always the last three characters."""

EARLIEST_BIRTH_YEAR = 1880
"""A date of birth before this is a typo, not a person."""

DOB_ISO_PATTERN = "([0-9]{4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})([ T][0-9:.]+)?"
"""Year first: 1984-03-07, 1984/3/7, and an ISO timestamp's date part (1984-03-07 00:00:00)."""
DOB_DAY_FIRST_PATTERN = "([0-9]{1,2})[-/. ]([0-9]{1,2})[-/. ]([0-9]{4}|[0-9]{2})"
"""UK order, day first: 07/03/1984, 7.3.84, 07-03-1984. Never read as month first."""
DOB_EIGHT_DIGITS_PATTERN = "[0-9]{8}"
"""19840307 (YYYYMMDD); when that is not a plausible date, 07031984 (DDMMYYYY)."""
DOB_SIX_DIGITS_PATTERN = "[0-9]{6}"
"""070384 (DDMMYY)."""
MONTH_WORDS = (
    "JANUARY|JAN|FEBRUARY|FEB|MARCH|MAR|APRIL|APR|MAY|JUNE|JUN|JULY|JUL|AUGUST|AUG|"
    "SEPTEMBER|SEPT|SEP|OCTOBER|OCT|NOVEMBER|NOV|DECEMBER|DEC"
)
MONTH_ABBREVIATIONS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DOB_MONTH_NAME_PATTERN = f"([0-9]{{1,2}})[-/. ]*({MONTH_WORDS})[-/., ]*([0-9]{{4}}|[0-9]{{2}})"
"""07-MAR-1984 (Oracle), 07MAR1984 (SAS), 7 March 1984, 7 Mar 84."""

SURNAME_PARTICLES = (
    "AL", "EL", "BIN", "BINT", "DA", "DAS", "DE", "DEL", "DELLA", "DEN", "DER", "DI", "DOS", "DU",
    "LA", "LE", "MAC", "MC", "ST", "SAINT", "TER", "VAN", "VON",
)  # fmt: skip
"""Words that are not a surname on their own: VAN DER BERG and VAN DIJK share no surname part."""

SEX_MALE = ("M", "MALE", "MAN", "BOY", "1")
SEX_FEMALE = ("F", "FEMALE", "WOMAN", "GIRL", "2")
"""1 and 2 are the NHS and ONS codes for male and female; anything else (U, 9, X, blank) is unknown."""


def two_digit_year_to_full(yy: int, as_of_year: int) -> int:
    """Read a two-digit birth year in the century that puts it at or before `as_of_year`.

    A date of birth is never in the future, so `84` read in 2026 is 1984 and `12` is 2012; `26` read in
    2026 is 2026 and `27` is 1927. The SQL in sql.py applies the same pivot.
    """
    return 2000 + yy if 2000 + yy <= as_of_year else 1900 + yy
