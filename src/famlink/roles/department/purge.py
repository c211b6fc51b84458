"""A department's side of a withdrawal: delete pending request identifiers the agent names.

Departments normally shred a request as soon as it is answered, so a purge request usually finds
nothing; it matters when a family objects while a request is still waiting to be matched. Run this
before `answer_requests`, so a withdrawn person's identifiers are deleted before matching and no
outcome is returned for them. The purge package is itself imported into a transient segment and
shredded, so the department keeps no trace of who objected.
"""

from __future__ import annotations

from dataclasses import dataclass

from famlink.agreement.model import Agreement
from famlink.governance.erase import delete_references
from famlink.governance.store import RoleStore

REQUEST_SEGMENT = "match_request"
INCOMING = "purge_in"


@dataclass(frozen=True)
class PurgeResult:
    """How many purge packages were read, references named, and request rows deleted."""

    packages: int
    references: int
    rows_deleted: int


def _purge_flow(store: RoleStore) -> str:
    return f"agent-purge-to-{store.party}"


def apply_purge_requests(
    store: RoleStore, agreement: Agreement, *, operator: str, purpose: str
) -> PurgeResult:
    """Import every pending purge request, delete the named requests, then shred the purge package."""
    pending = store.pending_packages(_purge_flow(store))
    if pending and INCOMING not in store.segments:
        store.add_segment(INCOMING, operator=operator, purpose=purpose)
    for package in pending:
        store.import_package(package, agreement, operator=operator, purpose=purpose, segment=INCOMING)
    if INCOMING not in store.segments:
        return PurgeResult(0, 0, 0)
    with store.session() as con:
        refs = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT request_ref FROM {store.alias(INCOMING)}.purge_requests"
            ).fetchall()
        ]
    deleted = 0
    if REQUEST_SEGMENT in store.segments:
        catalog = store.alias(REQUEST_SEGMENT)
        with store.session(operator=operator, purpose=purpose) as con:
            counts = delete_references(con, catalog, "request_ref", refs)
            con.execute(f"CHECKPOINT {catalog}")
        deleted = sum(counts.values())
    store.record(
        "purge_applied",
        operator=operator,
        purpose=purpose,
        rows=deleted,
        packages=len(pending),
        references=len(refs),
        request_held=REQUEST_SEGMENT in store.segments,
    )
    store.destroy_segment(INCOMING, operator=operator, purpose=purpose, reason="purge request carried out")
    return PurgeResult(len(pending), len(refs), deleted)
