"""Research's steps: ingest packages, assemble the linked dataset, evaluate, check, report.

Research never receives an identifier: the agreement's flows to research list no identifier field,
packages are checked against them before a row is written, and the linked dataset is keyed by the
agent's random research ids. Every output leaves only through disclosure control.
"""

from __future__ import annotations

from datetime import date

from famlink.agreement.model import Agreement
from famlink.governance.audit import Actor
from famlink.governance.store import RoleStore
from famlink.roles.research.linked import assemble_linked_dataset

WITHDRAWAL_FLOW = "agent-withdrawal-to-research"


def ingest_packages(
    store: RoleStore, agreement: Agreement, actor: Actor, *, as_of: date | None = None
) -> int:
    """Import every pending package (attributes, key maps, outcomes); returns how many."""
    withdrawals = set(store.pending_packages(WITHDRAWAL_FLOW))  # carried out by their own step
    pending = [p for p in store.pending_packages() if p not in withdrawals]
    for package in pending:
        store.import_package(package, agreement, operator=actor.operator, purpose=actor.purpose, as_of=as_of)
    return len(pending)


def build_linked_dataset(store: RoleStore, actor: Actor) -> dict[str, int]:
    """Create the linked dataset tables in the research store; audited with row counts."""
    with store.session(operator=actor.operator, purpose=actor.purpose) as con:
        counts = assemble_linked_dataset(con)
    store.record(
        "linked_dataset_built",
        operator=actor.operator,
        purpose=actor.purpose,
        rows=counts["cohort"],
        tables=counts,
    )
    return counts
