"""Families' requests to the council: object, withdraw an objection, rectify, erase.

Each request is recorded in a register in the council store (never deleted, so a subject access
request can show the history) and applied to the store. Erasure also records an objection, so every
later export leaves the person out through the one objection hook, and becomes a withdrawal of what
was already shared when the agreement has a withdrawal flow from this council. The council's source
systems sit outside famlink: because `famlink council load` replaces the store's copies, the
registers are re-applied after every load (`reapply_requests`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from famlink.agreement.model import Agreement
from famlink.contracts.person import PERSON_COLUMNS
from famlink.errors import InputFileError
from famlink.governance.erase import delete_references
from famlink.governance.objections import (
    CHANNELS,
    REGISTER,
    RESEARCH_SHARING,
    add_objection,
    withdraw_objection,
)
from famlink.governance.store import RoleStore
from famlink.roles.council.withdrawals import ERASURES, WITHDRAWAL_FLOW, ensure_withdrawal_tables

RECTIFICATIONS = "rectifications"
PERSON_TABLES = ("case_list", "people")
KEPT_ON_ERASURE = frozenset({REGISTER, ERASURES, "export_refs", "export_included", "withdrawn_refs"})
RECTIFIABLE = tuple(c for c in PERSON_COLUMNS if c != "record_id")


@dataclass(frozen=True)
class Who:
    """Who handles the request and why (audited)."""

    operator: str
    purpose: str


def _check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise InputFileError(f"unknown channel '{channel}'", fix=f"use one of: {', '.join(CHANNELS)}")


def _known_person(con: duckdb.DuckDBPyConnection, record_id: str) -> bool:
    for table in PERSON_TABLES:
        exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchall()
        if (
            exists[0][0]
            and con.execute(f"SELECT count(*) FROM {table} WHERE record_id = ?", [record_id]).fetchall()[0][0]
        ):
            return True
    return False


def _require_person(con: duckdb.DuckDBPyConnection, record_id: str) -> None:
    if not _known_person(con, record_id):
        raise InputFileError(
            "no person with this record reference in the council store",
            where="--record-ref",
            fix="check the reference (famlink council sar finds it from a person's details)",
        )


def object_to_sharing(
    store: RoleStore, who: Who, *, record_id: str, on: date, channel: str, scope: str = RESEARCH_SHARING
) -> str:
    """Record an objection; returns its id. Sharing already done is withdrawn by `council withdraw`."""
    _check_channel(channel)
    with store.session(operator=who.operator, purpose=who.purpose) as con:
        ensure_withdrawal_tables(con)
        _require_person(con, record_id)
        objection_id = add_objection(con, record_id, on, channel, scope)
    store.record(
        "objection_added",
        operator=who.operator,
        purpose=who.purpose,
        rows=1,
        objection_id=objection_id,
        channel=channel,
        scope=scope,
    )
    return objection_id


def withdraw_an_objection(store: RoleStore, who: Who, *, objection_id: str, on: date) -> bool:
    """The person agrees to sharing again from `on`; the objection stays in the register as history."""
    with store.session(operator=who.operator, purpose=who.purpose) as con:
        found = withdraw_objection(con, objection_id, on)
    if found:
        store.record(
            "objection_withdrawn",
            operator=who.operator,
            purpose=who.purpose,
            rows=1,
            objection_id=objection_id,
        )
    return found


def list_objections(store: RoleStore, who: Who) -> list[dict[str, object]]:
    """The register (pseudonymous record references, dates, channel, scope, status)."""
    table = store.read(
        f"SELECT objection_id, record_id, objected_on, channel, scope, withdrawn_on FROM {REGISTER} "
        "ORDER BY objection_id",
        operator=who.operator,
        purpose=who.purpose,
        what="objection register",
    )
    return table.to_pylist()


def _ensure_rectifications(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {RECTIFICATIONS} (rectification_id VARCHAR PRIMARY KEY, "
        "record_id VARCHAR, field VARCHAR, new_value VARCHAR, requested_on DATE, channel VARCHAR)"
    )


def rectify(
    store: RoleStore, who: Who, *, record_id: str, field: str, value: str, on: date, channel: str
) -> str:
    """Correct one field of a person's record in every council table that holds it."""
    _check_channel(channel)
    if field not in RECTIFIABLE:
        raise InputFileError(
            f"'{field}' cannot be rectified here", fix=f"use one of: {', '.join(RECTIFIABLE)}"
        )
    with store.session(operator=who.operator, purpose=who.purpose) as con:
        _require_person(con, record_id)
        _ensure_rectifications(con)
        count = con.execute(f"SELECT count(*) FROM {RECTIFICATIONS}").fetchall()[0][0]
        rectification_id = f"REC{count + 1:06d}"
        con.execute(
            f"INSERT INTO {RECTIFICATIONS} VALUES (?, ?, ?, ?, ?, ?)",
            [rectification_id, record_id, field, value, on, channel],
        )
        rows = _apply_rectifications(con)
    store.record(
        "rectified",
        operator=who.operator,
        purpose=who.purpose,
        rows=rows,
        rectification_id=rectification_id,
        field_name=field,
    )
    return rectification_id


def _apply_rectifications(con: duckdb.DuckDBPyConnection) -> int:
    rows = 0
    for rid, field, value in con.execute(
        f"SELECT record_id, field, new_value FROM {RECTIFICATIONS} ORDER BY rectification_id"
    ).fetchall():
        for table in PERSON_TABLES:
            has = con.execute(
                "SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND column_name = ?",
                [table, field],
            ).fetchall()[0][0]
            if has:
                result = con.execute(f'UPDATE {table} SET "{field}" = ? WHERE record_id = ?', [value, rid])
                rows += int(result.fetchall()[0][0])
    return rows


def erase(store: RoleStore, agreement: Agreement, who: Who, *, record_id: str, on: date, channel: str) -> str:
    """Erase a person from the council store, keep them out of every export, withdraw what was shared."""
    _check_channel(channel)
    with store.session(operator=who.operator, purpose=who.purpose) as con:
        ensure_withdrawal_tables(con)
        _require_person(con, record_id)
        count = con.execute(f"SELECT count(*) FROM {ERASURES}").fetchall()[0][0]
        erasure_id = f"ERA{count + 1:06d}"
        add_objection(con, record_id, on, channel, RESEARCH_SHARING)
        deleted = _erase_rows(con, store.alias("main"), [record_id])
        con.execute(
            f"INSERT INTO {ERASURES} VALUES (?, ?, ?, ?, ?)", [erasure_id, record_id, on, channel, deleted]
        )
    propagates = any(
        agreement.covers(f.sender, store.party) for f in agreement.flows if f.id == WITHDRAWAL_FLOW
    )
    store.record(
        "erased",
        operator=who.operator,
        purpose=who.purpose,
        rows=deleted,
        erasure_id=erasure_id,
        propagates_as_withdrawal=propagates,
    )
    return erasure_id


def _erase_rows(con: duckdb.DuckDBPyConnection, catalog: str, record_ids: list[str]) -> int:
    total = 0
    for column in ("record_id", "member_ref"):
        total += sum(delete_references(con, catalog, column, record_ids, skip=KEPT_ON_ERASURE).values())
    return total


def reapply_requests(store: RoleStore, who: Who) -> dict[str, int]:
    """After a load replaced the store's copies: erase the erased again, rectify the rectified again."""
    with store.session(operator=who.operator, purpose=who.purpose) as con:
        ensure_withdrawal_tables(con)
        _ensure_rectifications(con)
        erased = [r[0] for r in con.execute(f"SELECT DISTINCT record_id FROM {ERASURES}").fetchall()]
        main = store.alias("main")
        rows = {"erased_rows": _erase_rows(con, main, erased) if erased else 0}
        rows["rectified_rows"] = _apply_rectifications(con)
    store.record(
        "requests_reapplied", operator=who.operator, purpose=who.purpose, rows=sum(rows.values()), **rows
    )
    return rows
