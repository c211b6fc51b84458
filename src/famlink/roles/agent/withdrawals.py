"""The agent's side of a withdrawal: delete the person, ask departments to purge, tell research.

A council's withdrawal package names per-export references. The agent maps them to research person
ids and withdraws the whole person (every council record it linked to them), because a research id
whose records are half deleted would still identify a subject to the research team. It then:
1. seals a purge request to every department sent a request for them that the department may still
   hold (request identifiers are kept at most the agreement's period, so older requests are gone);
2. seals the research ids to research, which deletes them from the linked dataset;
3. deletes every row carrying those references, person ids or request references from its store.
The package itself is imported into a transient segment that is crypto-shredded afterwards, so the
agent keeps no list of who objected; the audit log records counts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from famlink.agreement.model import Agreement
from famlink.governance.erase import delete_references, move_stray_table
from famlink.governance.store import RoleStore
from famlink.roles.agent.requests import REQUEST_RULES

WITHDRAWAL_IN_FLOW = "council-withdrawal-to-agent"
RESEARCH_FLOW = "agent-withdrawal-to-research"
PURPOSE = "withdrawal"
INCOMING = "withdrawal_in"
REQUEST_HOLDING = "match_request"


@dataclass
class AgentWithdrawal:
    """What one run removed and sent (counts and package paths only)."""

    packages_read: int = 0
    people: int = 0
    rows_deleted: dict[str, int] = field(default_factory=dict)
    purge_packages: dict[str, Path] = field(default_factory=dict)
    research_package: Path | None = None


def _import_incoming(store: RoleStore, agreement: Agreement, operator: str, purpose: str) -> int:
    pending = store.pending_packages(WITHDRAWAL_IN_FLOW)
    if (pending or _stray(store)) and INCOMING not in store.segments:
        store.add_segment(INCOMING, operator=operator, purpose=purpose)
    for package in pending:
        store.import_package(package, agreement, operator=operator, purpose=purpose, segment=INCOMING)
    if INCOMING in store.segments:
        with store.session() as con:
            move_stray_table(con, store.alias("main"), store.alias(INCOMING), "withdrawals")
    return len(pending)


def _stray(store: RoleStore) -> bool:
    """A withdrawal package that `ingest_identifiers` imported into `main` before this step ran."""
    with store.session() as con:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = 'withdrawals'",
            [store.alias("main")],
        ).fetchall()
    return bool(found[0][0])


def _withdrawn_people(store: RoleStore) -> list[str]:
    seg = store.alias(INCOMING)
    with store.session() as con:
        rows = con.execute(
            f"""
            SELECT DISTINCT p.person_id FROM {seg}.withdrawals w
            JOIN {seg}.famlink_imports m ON m.package_id = w._package_id
            JOIN person_ids p ON p.council = m.party AND p.council_ref = w.council_ref
            ORDER BY 1
            """
        ).fetchall()
    return [r[0] for r in rows]


def _requests_of(store: RoleStore, people: list[str]) -> pa.Table:
    with store.session() as con:
        con.register("famlink_people", pa.table({"person_id": pa.array(people, pa.string())}))
        table = con.sql(
            """
            SELECT r.cycle, r.department, r.request_ref, e.recorded_at
            FROM requests r JOIN famlink_people USING (person_id)
            LEFT JOIN famlink_exports e ON e.export_key = r.cycle || '/request/' || r.department
            ORDER BY ALL
            """
        ).to_arrow_table()
        con.unregister("famlink_people")
    return table


def _maybe_held(agreement: Agreement, department: str, sent: datetime | None, today: date) -> bool:
    """Could the department still hold this request? Unsent requests and unknown rules: assume yes."""
    if sent is None:
        return True
    rule = agreement.retention_for(department, REQUEST_HOLDING)
    return rule is None or rule.expires_on(sent.date()) >= today


def _person_refs(store: RoleStore, people: list[str]) -> tuple[list[str], list[str]]:
    with store.session() as con:
        con.register("famlink_people", pa.table({"person_id": pa.array(people, pa.string())}))
        refs = con.execute(
            "SELECT council_ref FROM person_ids JOIN famlink_people USING (person_id)"
        ).fetchall()
        has_requests = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'requests' AND database_name = ?",
            [store.alias("main")],
        ).fetchall()[0][0]
        requests: list[tuple[str]] = []
        if has_requests:
            requests = con.execute(
                "SELECT request_ref FROM requests JOIN famlink_people USING (person_id)"
            ).fetchall()
        con.unregister("famlink_people")
    return [r[0] for r in refs], [r[0] for r in requests]


def process_withdrawals(
    store: RoleStore,
    agreement: Agreement,
    *,
    operator: str,
    purpose: str,
    research: str,
    as_of: date,
    today: date | None = None,
) -> AgentWithdrawal:
    """Carry out every pending council withdrawal; safe to re-run after a crash at any point."""
    result = AgentWithdrawal(packages_read=_import_incoming(store, agreement, operator, purpose))
    if INCOMING not in store.segments:
        return result
    people = _withdrawn_people(store)
    result.people = len(people)
    if people:
        _send_purges(store, agreement, people, operator, as_of, today or datetime.now(UTC).date(), result)
        result.research_package = store.export_package(
            {"withdrawals": pa.table({"person_id": pa.array(people, pa.string())})},
            agreement=agreement,
            recipient=research,
            purpose=PURPOSE,
            flow=RESEARCH_FLOW,
            operator=operator,
            as_of=as_of,
            export_key=f"withdrawal/research/{_incoming_key(store)}",
        ).path
        result.rows_deleted = _delete_people(store, people)
    store.record(
        "withdrawal_applied",
        operator=operator,
        purpose=purpose,
        rows=sum(result.rows_deleted.values()),
        people=result.people,
        tables=result.rows_deleted,
        purge_requests_sent=sorted(result.purge_packages),
    )
    store.destroy_segment(INCOMING, operator=operator, purpose=purpose, reason="withdrawal carried out")
    return result


def _incoming_key(store: RoleStore) -> str:
    """The incoming packages' ids: the same withdrawal re-run after a crash reuses its packages."""
    seg = store.alias(INCOMING)
    with store.session() as con:
        ids = [
            r[0] for r in con.execute(f"SELECT package_id FROM {seg}.famlink_imports ORDER BY 1").fetchall()
        ]
    return "+".join(ids)


def _send_purges(
    store: RoleStore,
    agreement: Agreement,
    people: list[str],
    operator: str,
    as_of: date,
    today: date,
    result: AgentWithdrawal,
) -> None:
    requests = _requests_of(store, people) if _has_requests(store) else pa.table({})
    if requests.num_rows == 0:
        return
    rows = requests.to_pylist()
    for rule in REQUEST_RULES:
        refs = sorted(
            r["request_ref"]
            for r in rows
            if r["department"] == rule.department
            and _maybe_held(agreement, rule.department, r["recorded_at"], today)
        )
        if not refs:
            continue
        result.purge_packages[rule.department] = store.export_package(
            {"purge_requests": pa.table({"request_ref": pa.array(refs, pa.string())})},
            agreement=agreement,
            recipient=rule.department,
            purpose=PURPOSE,
            flow=f"agent-purge-to-{rule.department}",
            operator=operator,
            as_of=as_of,
            export_key=f"withdrawal/purge/{rule.department}/{_incoming_key(store)}",
        ).path


def _has_requests(store: RoleStore) -> bool:
    with store.session() as con:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'requests' AND database_name = ?",
            [store.alias("main")],
        ).fetchall()
    return bool(found[0][0])


def _delete_people(store: RoleStore, people: list[str]) -> dict[str, int]:
    """Every row of the person in the agent store: identifiers, assignments, requests, derived tables."""
    council_refs, request_refs = _person_refs(store, people)
    main = store.alias("main")
    deleted: dict[str, int] = {}
    with store.session() as con:
        con.execute("BEGIN TRANSACTION")
        for column, values in (
            ("council_ref", council_refs),
            ("record_id", council_refs),
            ("request_ref", request_refs),
            ("person_id", people),
        ):
            for table, n in delete_references(con, main, column, values).items():
                deleted[table] = deleted.get(table, 0) + n
        con.execute("COMMIT")
        con.execute(f"CHECKPOINT {main}")
    return deleted
