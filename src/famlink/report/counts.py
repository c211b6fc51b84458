"""Published counts as the report receives them: already rounded, or replaced by a suppression mark.

A count reaches the report after disclosure control, so it is either a whole number (usually rounded to
base 5, written with or without thousands separators: ``1235``, ``"1,235"``) or one of the Government
Statistical Service's shorthand marks (``"[c]"`` confidential, ``"[x]"`` not available, ``"[z]"`` not
applicable, ``"[low]"``, ``"[u]"``). Keeping counts as text end to end means the report never has to
guess how a suppressed cell should look, and the guard can tell a real small number from a mark.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator

SUPPRESSION_MARKS: frozenset[str] = frozenset({"[c]", "[x]", "[z]", "[low]", "[u]"})
"""Marks that stand in for a number that may not, or cannot, be published."""

# Spelled out without brackets: the CLI prints errors through Rich, which would read [c] as markup.
_COUNT_RULE = (
    "a count must be a whole number (1235 or 1,235) or a suppression mark (c, x, z, low or u in brackets)"
)
_NUMBER = re.compile(r"^(\d{1,3}(,\d{3})+|\d+)$")


def _as_count_text(value: object) -> str:
    """Accept an int or a number/mark string and keep it as text; refuse anything else."""
    if isinstance(value, bool):
        raise ValueError(_COUNT_RULE)
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a count cannot be negative")
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER.match(text) or text in SUPPRESSION_MARKS:
            return text
    raise ValueError(_COUNT_RULE)


Count = Annotated[str, BeforeValidator(_as_count_text)]
"""A published count: a whole number as text, or a suppression mark."""


def is_suppressed(count: str) -> bool:
    """True when the count is a mark rather than a number."""
    return count in SUPPRESSION_MARKS


def count_value(count: str) -> int | None:
    """The number a published count shows, or None for a mark (used for charts and the guard only)."""
    return None if is_suppressed(count) else int(count.replace(",", ""))


def format_count(count: str) -> str:
    """Thousands separators for display; marks pass through unchanged."""
    value = count_value(count)
    return count if value is None else f"{value:,}"
