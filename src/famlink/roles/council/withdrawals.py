"""The council's side of a withdrawal: tell the agent which shared references to delete.

The objection hook stops future exports; this module deals with what was shared before the objection
(or erasure request) arrived. The council knows exactly which per-export references it sealed for each
person (`export_included`, written as each export is sealed), so the withdrawal package carries those
references and nothing else: no name, no date of birth, not even the council's own record id.
Each reference is withdrawn once (`withdrawn_refs`), so sending is idempotent and a person who
objects, withdraws the objection, is shared again and objects again is withdrawn again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from famlink.agreement.model import Agreement
from famlink.governance.objections import RESEARCH_SHARING, ensure_register, objectors_sql
from famlink.governance.store import RoleStore

WITHDRAWAL_FLOW = "council-withdrawal-to-agent"
WITHDRAWAL_PURPOSE = "withdrawal"
EXPORT_LOG = "export_included"
WITHDRAWN = "withdrawn_refs"
ERASURES = "erasures"


@dataclass(frozen=True)
class WithdrawalSent:
    """The package sent (None when nothing was due), and how many people and references it named."""

    package: Path | None
    people: int
    references: int


def ensure_withdrawal_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The export log, the withdrawn-reference register and the erasure register."""
    ensure_register(con)
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {EXPORT_LOG} (export_id VARCHAR, council_ref VARCHAR, "
        "PRIMARY KEY (export_id, council_ref))"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {WITHDRAWN} (council_ref VARCHAR PRIMARY KEY, reason VARCHAR, "
        "received_on DATE, package_id VARCHAR)"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {ERASURES} (erasure_id VARCHAR PRIMARY KEY, record_id VARCHAR, "
        "requested_on DATE, channel VARCHAR, applied_rows BIGINT)"
    )


def record_included(con: duckdb.DuckDBPyConnection, export_id: str, council_refs: pa.Array) -> None:
    """Remember which references an export actually sealed (after the objection hook)."""
    ensure_withdrawal_tables(con)
    con.register("famlink_included", pa.table({"council_ref": council_refs}))
    try:
        con.execute(
            f"INSERT OR IGNORE INTO {EXPORT_LOG} SELECT ?, council_ref FROM famlink_included",
            [export_id],
        )
    finally:
        con.unregister("famlink_included")


def due_sql(as_of: date) -> str:
    """References shared earlier of people who now object (or asked for erasure), not yet withdrawn."""
    return f"""
        WITH reasons AS (
            SELECT o.record_id, 'objection' AS reason, min(o.objected_on) AS received_on,
                   '{RESEARCH_SHARING}' AS scope
            FROM objections o WHERE o.record_id IN ({objectors_sql(RESEARCH_SHARING, as_of)})
              AND o.withdrawn_on IS NULL GROUP BY o.record_id
            UNION ALL
            SELECT record_id, 'erasure', min(requested_on), 'erasure' FROM {ERASURES} GROUP BY record_id
        ), first_reason AS (
            SELECT record_id, arg_min(reason, received_on) AS reason, min(received_on) AS received_on,
                   arg_min(scope, received_on) AS scope
            FROM reasons GROUP BY record_id
        )
        SELECT i.council_ref, f.received_on, f.scope, f.reason, r.record_id
        FROM {EXPORT_LOG} i
        JOIN export_refs r ON r.export_id = i.export_id AND r.council_ref = i.council_ref
        JOIN first_reason f ON f.record_id = r.record_id
        WHERE i.council_ref NOT IN (SELECT council_ref FROM {WITHDRAWN})
        ORDER BY i.council_ref
    """


def _has_export_refs(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'export_refs'").fetchall()
    return bool(found[0][0])


def send_withdrawals(
    store: RoleStore,
    agreement: Agreement,
    *,
    operator: str,
    purpose: str,
    agent: str,
    as_of: date,
) -> WithdrawalSent:
    """Seal one withdrawal package to the agent naming every reference now due; audited by count."""
    with store.session(operator=operator, purpose=purpose) as con:
        ensure_withdrawal_tables(con)
        if not _has_export_refs(con):
            return WithdrawalSent(None, 0, 0)
        due = con.sql(due_sql(as_of)).to_arrow_table()
    if due.num_rows == 0:
        store.record("withdrawal_checked", operator=operator, purpose=purpose, rows=0)
        return WithdrawalSent(None, 0, 0)
    people = len(set(due["record_id"].to_pylist()))
    refs = sorted(due["council_ref"].to_pylist())
    digest = hashlib.sha256("\n".join(refs).encode()).hexdigest()[:16]
    exported = store.export_package(
        {"withdrawals": due.select(["council_ref", "received_on", "scope"])},
        agreement=agreement,
        recipient=agent,
        purpose=WITHDRAWAL_PURPOSE,
        flow=WITHDRAWAL_FLOW,
        operator=operator,
        as_of=as_of,
        export_key=f"withdrawal/{digest}",
    )
    with store.session() as con:
        con.register("famlink_sent", due.select(["council_ref", "reason", "received_on"]))
        con.execute(
            f"INSERT OR IGNORE INTO {WITHDRAWN} SELECT council_ref, reason, received_on, ? FROM famlink_sent",
            [exported.manifest.package_id],
        )
        con.unregister("famlink_sent")
    store.record(
        "withdrawal_sent",
        operator=operator,
        purpose=purpose,
        package_id=exported.manifest.package_id,
        rows=len(refs),
        people=people,
        recipient=agent,
    )
    return WithdrawalSent(exported.path, people, len(refs))
