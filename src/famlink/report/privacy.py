"""Refuse report inputs that carry an identifier, or a column that only microdata would have.

The report is the last step before publication, so it checks the raw inputs itself rather than trusting
that upstream code did: a field or table column named like a person-level key (``person_id``,
``record_id``, ``nhs_number``...) means someone passed microdata, and a value shaped like an NHS
number, National Insurance number, pupil number or full postcode means an identifier leaked into a
label. Messages name the place (a JSON path) and the kind of identifier, never the value.
"""

from __future__ import annotations

import re

from famlink.errors import DisclosureError

IDENTIFIER_NAMES: frozenset[str] = frozenset(
    {
        "person_id",
        "record_id",
        "family_id",
        "family_ref",
        "research_id",
        "request_ref",
        "first_name",
        "middle_names",
        "surname",
        "date_of_birth",
        "dob",
        "postcode",
        "address",
        "nhs_number",
        "nino",
        "upn",
    }
)
"""Names of person-level keys and identifiers (the person schema's columns and the research ids)."""

IDENTIFIER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an NHS number", re.compile(r"(?<![\d,.])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d,.])")),
    ("a National Insurance number", re.compile(r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b")),
    ("a unique pupil number", re.compile(r"\b[A-Z]\d{11}[A-Z\d]\b")),
    ("a full postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b")),
)


def _normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def refuse_identifiers(raw: object, *, source: str = "report inputs", path: str = "") -> None:
    """Walk a JSON-like document; raise DisclosureError at the first identifier-like key or value."""
    if isinstance(raw, dict):
        for key, value in raw.items():
            here = f"{path}.{key}" if path else str(key)
            if _normalised(str(key)) in IDENTIFIER_NAMES:
                _refuse(
                    f"a field named like a person-level identifier ('{_normalised(str(key))}')", here, source
                )
            refuse_identifiers(value, source=source, path=here)
    elif isinstance(raw, list | tuple):
        for index, value in enumerate(raw):
            refuse_identifiers(value, source=source, path=f"{path}[{index}]")
    elif isinstance(raw, str):
        _refuse_identifier_text(raw, path, source)


def _refuse_identifier_text(text: str, path: str, source: str) -> None:
    if _normalised(text) in IDENTIFIER_NAMES:
        _refuse(
            f"a column or label named like a person-level identifier ('{_normalised(text)}')", path, source
        )
    for kind, pattern in IDENTIFIER_PATTERNS:
        if pattern.search(text):
            _refuse(f"a value that looks like {kind}", path, source)


def _refuse(what: str, path: str, source: str) -> None:
    raise DisclosureError(
        f"the report inputs carry {what}: they look like microdata or an identifier, not a checked "
        "group-level output",
        where=f"{source}, at {path or 'the top level'}",
        fix="give the report only disclosure-checked group-level figures (no person tables or identifiers)",
    )
