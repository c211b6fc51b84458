"""Research's side of a withdrawal: remove the research ids the agent names from everything held.

Research holds a withdrawn person in three shapes: under their research id (key maps, cohort, linked
outcome tables), under the council references that key map gave (council attributes) and under the
request references (department outcomes as received). All three are deleted, in one transaction,
so neither today's linked dataset nor any output built later from the store can include them. The
agent's package is imported into a transient segment and shredded afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from famlink.agreement.model import Agreement
from famlink.governance.erase import delete_references, move_stray_table
from famlink.governance.store import RoleStore

WITHDRAWAL_FLOW = "agent-withdrawal-to-research"
INCOMING = "withdrawal_in"


@dataclass(frozen=True)
class ResearchWithdrawal:
    """Packages read, research ids named, and rows deleted per table."""

    packages: int
    people: int
    rows_deleted: dict[str, int]


def _refs_of(store: RoleStore, people: list[str]) -> tuple[list[str], list[str]]:
    """The council and request references research holds for `people` (from the key maps)."""
    main = store.alias("main")
    found: dict[str, list[str]] = {"council_key_map": [], "request_key_map": []}
    with store.session() as con:
        con.register("famlink_people", pa.table({"person_id": pa.array(people, pa.string())}))
        for table, column in (("council_key_map", "council_ref"), ("request_key_map", "request_ref")):
            exists = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?",
                [main, table],
            ).fetchall()[0][0]
            if exists:
                found[table] = [
                    r[0]
                    for r in con.execute(
                        f"SELECT DISTINCT {column} FROM {table} JOIN famlink_people USING (person_id)"
                    ).fetchall()
                ]
        con.unregister("famlink_people")
    return found["council_key_map"], found["request_key_map"]


def _stray(store: RoleStore) -> bool:
    """A withdrawal package that `ingest_packages` imported into `main` before this step ran."""
    with store.session() as con:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = 'withdrawals'",
            [store.alias("main")],
        ).fetchall()
    return bool(found[0][0])


def apply_withdrawals(
    store: RoleStore, agreement: Agreement, *, operator: str, purpose: str
) -> ResearchWithdrawal:
    """Import pending withdrawals and delete every row of the named people; audited by counts."""
    pending = store.pending_packages(WITHDRAWAL_FLOW)
    if (pending or _stray(store)) and INCOMING not in store.segments:
        store.add_segment(INCOMING, operator=operator, purpose=purpose)
    for package in pending:
        store.import_package(package, agreement, operator=operator, purpose=purpose, segment=INCOMING)
    if INCOMING in store.segments:
        with store.session() as con:
            move_stray_table(con, store.alias("main"), store.alias(INCOMING), "withdrawals")
    if INCOMING not in store.segments:
        return ResearchWithdrawal(0, 0, {})
    with store.session() as con:
        people = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT person_id FROM {store.alias(INCOMING)}.withdrawals ORDER BY 1"
            ).fetchall()
        ]
    council_refs, request_refs = _refs_of(store, people)
    main = store.alias("main")
    deleted: dict[str, int] = {}
    with store.session(operator=operator, purpose=purpose) as con:
        con.execute("BEGIN TRANSACTION")
        for column, values in (
            ("council_ref", council_refs),
            ("request_ref", request_refs),
            ("person_id", people),
        ):
            for table, n in delete_references(con, main, column, values).items():
                deleted[table] = deleted.get(table, 0) + n
        con.execute("COMMIT")
        con.execute(f"CHECKPOINT {main}")
    store.record(
        "withdrawal_applied",
        operator=operator,
        purpose=purpose,
        rows=sum(deleted.values()),
        people=len(people),
        packages=len(pending),
        tables=deleted,
    )
    store.destroy_segment(INCOMING, operator=operator, purpose=purpose, reason="withdrawal carried out")
    return ResearchWithdrawal(len(pending), len(people), deleted)
