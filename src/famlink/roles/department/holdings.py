"""What each department holds and returns: its people file and its outcome tables.

The outcome columns returned are exactly those the agreement's flow for that department lists
(with `request_ref` in place of the department's own record id); everything else — names, dates of
birth, addresses, the department's record ids — stays behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from famlink.contracts.person import PERSON_COLUMNS

STUDY_WINDOW = ("2012-01-01", "2022-12-31")
_SPELL_START, _SPELL_END = "o.start_date", "o.end_date"


@dataclass(frozen=True)
class OutcomeTable:
    """One outcome table: its file name, the columns returned, and the date column of the window."""

    name: str
    columns: tuple[str, ...]
    starts: str = "o.date"
    ends: str | None = None

    @property
    def window_sql(self) -> str:
        """Rows that touch the study window (a spell overlapping it, or an event inside it)."""
        first, last = STUDY_WINDOW
        ends = self.ends or self.starts
        return f"{self.starts} <= DATE '{last}' AND coalesce({ends}, DATE '{last}') >= DATE '{first}'"


@dataclass(frozen=True)
class Department:
    """A department's holdings and the flow its outcomes go back on."""

    party: str
    return_flow: str
    tables: tuple[OutcomeTable, ...]

    @property
    def people_columns(self) -> list[str]:
        return [c for c in PERSON_COLUMNS if not (self.party != "dfe" and c == "upn")]


DEPARTMENTS: dict[str, Department] = {
    "dwp": Department(
        "dwp",
        "dwp-outcomes-to-research",
        (
            OutcomeTable("benefit_spells", ("benefit", "start_date", "end_date"), _SPELL_START, _SPELL_END),
            OutcomeTable("employment_spells", ("start_date", "end_date"), _SPELL_START, _SPELL_END),
        ),
    ),
    "moj": Department(
        "moj", "moj-outcomes-to-research", (OutcomeTable("events", ("date", "event", "juvenile")),)
    ),
    "dfe": Department(
        "dfe",
        "dfe-outcomes-to-research",
        (
            OutcomeTable(
                "attendance",
                ("academic_year", "term", "term_start", "sessions_possible", "sessions_missed"),
                "o.term_start",
            ),
            OutcomeTable("exclusions", ("date", "kind")),
            OutcomeTable("attainment", ("key_stage", "year", "score"), "make_date(o.year, 7, 1)"),
            OutcomeTable("children_in_need", ("episode", "start_date", "end_date"), _SPELL_START, _SPELL_END),
        ),
    ),
}
