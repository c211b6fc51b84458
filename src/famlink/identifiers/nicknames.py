"""The UK nickname table: the formal first name behind BILL, PEGGY, KASIA or FEMI.

Why a table keyed by name AND sex: many short forms belong to two formal names (ALEX is ALEXANDER or
ALEXANDRA, SAM is SAMUEL or SAMANTHA), and the recorded sex says which. A row with a blank sex applies
to everyone; a name has either one such row or sex-specific rows, never both, so the join in
`standardise_people` returns at most one formal name per person. When the sex is unknown and the name
is ambiguous, no formal name is guessed.

`kind` is `nickname` (BILL -> WILLIAM) or `spelling` (MUHAMMAD -> MOHAMMED, KATHRYN -> CATHERINE):
both are ways one person's first name is written differently between services.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

import duckdb

NICKNAME_TABLE = "famlink_nicknames"
_KINDS = ("nickname", "spelling")


@dataclass(frozen=True)
class Nickname:
    """One row: `name` is written for `formal` by people of `sex` ('M', 'F', or None for anyone)."""

    name: str
    formal: str
    sex: str | None
    kind: str


@cache
def load_nicknames() -> tuple[Nickname, ...]:
    """Read and check the packaged table (data/nicknames.csv); a broken table is a packaging bug."""
    text = resources.files("famlink.identifiers").joinpath("data/nicknames.csv").read_text("utf-8")
    rows = tuple(
        Nickname(row["name"], row["formal"], row["sex"] or None, row["kind"])
        for row in csv.DictReader(io.StringIO(text))
    )
    _check(rows)
    return rows


def _check(rows: tuple[Nickname, ...]) -> None:
    sexes_by_name: dict[str, list[str | None]] = {}
    for row in rows:
        if not (row.name.isalpha() and row.name.isupper() and row.formal.isalpha() and row.formal.isupper()):
            raise ValueError(f"nickname table: names must be upper-case letters ({row.name})")
        if row.sex not in (None, "M", "F") or row.kind not in _KINDS:
            raise ValueError(f"nickname table: bad sex or kind for {row.name}")
        sexes_by_name.setdefault(row.name, []).append(row.sex)
    for name, sexes in sexes_by_name.items():
        if len(set(sexes)) != len(sexes) or (None in sexes and len(sexes) > 1):
            raise ValueError(f"nickname table: {name} needs one row for anyone or one per sex")


def formal_name(name: str, sex: str | None = None) -> str | None:
    """The formal name for a standardised first name and sex, or None if the table has none."""
    for row in load_nicknames():
        if row.name == name and (row.sex is None or row.sex == sex):
            return row.formal
    return None


def register_nicknames(con: duckdb.DuckDBPyConnection) -> None:
    """Create the TEMP table `famlink_nicknames(name, formal, sex, kind)` on this connection.

    Built as a VALUES list: the packaged rows are checked to be plain upper-case letters, so they
    are safe as SQL literals, and this avoids a round trip through Arrow (which imports pandas).
    """
    values = ", ".join(_sql_row(r) for r in load_nicknames())
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {NICKNAME_TABLE} AS "
        f"SELECT * FROM (VALUES {values}) AS t(name, formal, sex, kind)"
    )


def _sql_row(row: Nickname) -> str:
    sex = f"'{row.sex}'" if row.sex else "NULL"
    return f"('{row.name}', '{row.formal}', {sex}, '{row.kind}')"
