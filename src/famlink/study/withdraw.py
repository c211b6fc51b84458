"""Carry withdrawals through every party of a study: council → agent → departments and research.

The same steps each party runs on its own machine in a real deployment, in order, moving only sealed
packages: councils send withdrawal packages for people who objected or asked for erasure after they
were shared; the agent deletes them, sends purge requests and tells research; departments purge any
request still held; research deletes the research ids. Every step is audited with counts only, and
each is safe to re-run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from famlink.governance.store import RoleStore
from famlink.roles.agent import withdrawals as agent
from famlink.roles.council import withdrawals as council
from famlink.roles.department import purge as department
from famlink.roles.research import withdrawals as research
from famlink.study.layout import AGENT, DEPARTMENTS, RESEARCH, StudyLayout
from famlink.study.run import post_outboxes

PURPOSE = "withdrawal"


@dataclass
class WithdrawalSummary:
    """Counts from each party (no identifiers, no references)."""

    councils: dict[str, int] = field(default_factory=dict)
    agent_people: int = 0
    agent_rows_deleted: int = 0
    purges: dict[str, int] = field(default_factory=dict)
    research_people: int = 0
    research_rows_deleted: int = 0


def study_councils(layout: StudyLayout) -> list[str]:
    """The council stores of a study folder."""
    found = []
    for path in sorted((layout.root / "stores").iterdir()):
        meta = path / "store.json"
        if meta.is_file() and json.loads(meta.read_text(encoding="utf-8"))["role"] == "council":
            found.append(path.name)
    return found


def carry_withdrawals(root: Path, *, as_of: date, today: date | None = None) -> WithdrawalSummary:
    """Run every party's withdrawal step in order; returns what each did, in counts."""
    layout = StudyLayout(root)
    agreement = layout.agreement()
    summary = WithdrawalSummary()
    councils = study_councils(layout)
    for party in councils:
        with RoleStore.open(layout.store_path(party), role="council") as store:
            sent = council.send_withdrawals(
                store, agreement, operator=f"{party}-data-officer", purpose=PURPOSE, agent=AGENT, as_of=as_of
            )
        summary.councils[party] = sent.people
    post_outboxes(layout, councils)
    with RoleStore.open(layout.store_path(AGENT), role="agent") as store:
        done = agent.process_withdrawals(
            store,
            agreement,
            operator="agent-linkage-analyst",
            purpose=PURPOSE,
            research=RESEARCH,
            as_of=as_of,
            today=today,
        )
    summary.agent_people = done.people
    summary.agent_rows_deleted = sum(done.rows_deleted.values())
    post_outboxes(layout, [AGENT])
    for party in DEPARTMENTS:
        with RoleStore.open(layout.store_path(party), role="department") as store:
            purged = department.apply_purge_requests(
                store, agreement, operator=f"{party}-matching-analyst", purpose=PURPOSE
            )
        summary.purges[party] = purged.rows_deleted
    with RoleStore.open(layout.store_path(RESEARCH), role="research") as store:
        removed = research.apply_withdrawals(
            store, agreement, operator="evaluation-researcher", purpose=PURPOSE
        )
    summary.research_people = removed.people
    summary.research_rows_deleted = sum(removed.rows_deleted.values())
    return summary
