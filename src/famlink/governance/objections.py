"""The objection register a council keeps, and the one hook every export passes through.

Families were promised they could object and that sharing stops when they do. Rather than trusting
each export to remember, every council export is built by `without_objectors`, which removes anyone
with an objection in force for the export's scope on the export date; the council role has no other
way to seal a package (tests/integration/test_objection_hook.py proves each export goes through it).
An objection is never deleted: withdrawing it records the withdrawal date, so the register shows the
full history for a subject access request.
"""

from __future__ import annotations

from datetime import date

import duckdb

REGISTER = "objections"
RESEARCH_SHARING = "research_sharing"
CHANNELS = ("letter", "email", "phone", "in_person", "web")


def ensure_register(con: duckdb.DuckDBPyConnection) -> None:
    """Create the register if this store does not have one yet."""
    con.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {REGISTER} (
            objection_id VARCHAR PRIMARY KEY,
            record_id VARCHAR NOT NULL,
            objected_on DATE NOT NULL,
            channel VARCHAR NOT NULL,
            scope VARCHAR NOT NULL,
            withdrawn_on DATE
        )
        """
    )


def add_objection(
    con: duckdb.DuckDBPyConnection, record_id: str, objected_on: date, channel: str, scope: str
) -> str:
    """Record an objection; returns its id (a pseudonymous reference safe to log)."""
    ensure_register(con)
    count = con.execute(f"SELECT count(*) FROM {REGISTER}").fetchall()[0][0]
    objection_id = f"OBJ{count + 1:06d}"
    con.execute(
        f"INSERT INTO {REGISTER} VALUES (?, ?, ?, ?, ?, NULL)",
        [objection_id, record_id, objected_on, channel, scope],
    )
    return objection_id


def withdraw_objection(con: duckdb.DuckDBPyConnection, objection_id: str, withdrawn_on: date) -> bool:
    """Mark an objection withdrawn (the person agrees to sharing again); False if no such objection."""
    ensure_register(con)
    found = con.execute(
        f"UPDATE {REGISTER} SET withdrawn_on = ? WHERE objection_id = ? AND withdrawn_on IS NULL "
        "RETURNING objection_id",
        [withdrawn_on, objection_id],
    ).fetchall()
    return bool(found)


def objectors_sql(scope: str, as_of: date) -> str:
    """SQL for the record ids with an objection in force for `scope` on `as_of`."""
    return (
        f"SELECT DISTINCT record_id FROM {REGISTER} WHERE scope = '{_safe(scope)}' "
        f"AND objected_on <= DATE '{as_of.isoformat()}' "
        f"AND (withdrawn_on IS NULL OR withdrawn_on > DATE '{as_of.isoformat()}')"
    )


def without_objectors(relation_sql: str, *, scope: str, as_of: date, key: str = "record_id") -> str:
    """Wrap a query so that rows of people with an objection in force are removed."""
    return (
        f"SELECT * FROM ({relation_sql}) AS candidate "
        f"WHERE candidate.{key} NOT IN ({objectors_sql(scope, as_of)})"
    )


def _safe(text: str) -> str:
    if not text.replace("_", "").isalnum():
        raise ValueError("scope names are plain words")
    return text
