"""`famlink study run`: the national impact study end to end, one role after another.

Each step is idempotent, so a run killed at any point (even `kill -9`) finishes on the next run with
no duplicated or lost rows: stores import a package at most once (a register keyed by package id,
written in the same transaction as the rows), exports carry an export key that returns the earlier
package on a re-run, loads replace their tables in one transaction, research ids already given are
kept, and a department purges request identifiers only after its answer is sealed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from famlink.exchange.manifest import PACKAGE_SUFFIX, read_header
from famlink.governance.store import RoleStore
from famlink.governance.transfers import exported_package_ids
from famlink.linkage.options import Engine, LinkOptions
from famlink.roles.agent import service as agent
from famlink.roles.council import service as council
from famlink.roles.council.rights import Who, reapply_requests
from famlink.roles.department import service as department
from famlink.roles.research import service as research
from famlink.roles.research.outputs import StudyOutputs, produce_study_outputs
from famlink.study.layout import AGENT, DEPARTMENTS, RESEARCH, StudyLayout, deliver, set_up_study

PURPOSE = "national-impact-study"
Step = Callable[[str], None]


@dataclass(frozen=True)
class StudySettings:
    """What a study run needs beyond the world: who runs it, when, and which engine links."""

    operator: str = "famlink-study"
    as_of: date = field(default_factory=date.today)
    cycle: str = "cycle-1"
    engine: Engine = "duckdb"
    observed_until: date = date(2022, 12, 31)
    seed: int = 1
    bootstrap: int = 200


@dataclass
class StudySummary:
    """The closing figures of a run (counts only)."""

    root: Path
    councils: dict[str, dict[str, int]] = field(default_factory=dict)
    agent: dict[str, int] = field(default_factory=dict)
    departments: dict[str, dict[str, float]] = field(default_factory=dict)
    research: dict[str, int] = field(default_factory=dict)
    outputs: StudyOutputs | None = None


def councils_in(world: Path) -> list[str]:
    """The councils a world (or a deployment folder laid out the same way) provides."""
    return sorted(p.name for p in (world / "councils").iterdir() if p.is_dir())


def post_outboxes(layout: StudyLayout, parties: list[str]) -> int:
    """Deliver every package in the parties' outboxes to its addressee (already delivered: skipped)."""
    delivered = 0
    for party in parties:
        with RoleStore.open(layout.store_path(party)) as store:
            registered = exported_package_ids(store)
        for package in sorted((layout.store_path(party) / "outbox").glob(f"*{PACKAGE_SUFFIX}")):
            manifest = read_header(package).manifest
            if manifest.package_id not in registered:
                continue  # sealed by a run that died before registering it: superseded, never sent
            recipient = manifest.recipient
            target = layout.store_path(recipient) / "inbox" / package.name
            if not target.exists():
                deliver(package, layout.store_path(recipient))
                delivered += 1
    return delivered


def run_councils(
    layout: StudyLayout,
    world: Path,
    councils: list[str],
    settings: StudySettings,
    summary: StudySummary,
    step: Step,
) -> None:
    agreement = layout.agreement()
    for party in councils:
        step(f"council {party}: load, eligibility, cohort, exports")
        store = RoleStore.open(layout.store_path(party), role="council")
        actor = council.Actor(f"{party}-data-officer", PURPOSE)
        council.load_council_data(store, world / "councils" / party, actor)
        reapply_requests(store, Who(actor.operator, actor.purpose))  # erasures and rectifications
        counts = council.decide_cohort(store, actor)
        export = council.export_cohort(
            store,
            agreement,
            actor,
            agent=AGENT,
            research=RESEARCH,
            export_id=settings.cycle,
            as_of=settings.as_of,
        )
        summary.councils[party] = {
            **counts,
            "exported_people": export.people,
            "left_out_for_objection": export.left_out_for_objection,
        }
        store.close()
    post_outboxes(layout, councils)


def run_agent(layout: StudyLayout, settings: StudySettings, summary: StudySummary, step: Step) -> None:
    step("linkage agent: ingest, deduplicate across councils, research ids, requests, key maps")
    agreement = layout.agreement()
    store = RoleStore.open(layout.store_path(AGENT), role="agent")
    actor = agent.Actor("agent-linkage-analyst", PURPOSE)
    agent.ingest_identifiers(store, agreement, actor)
    summary.agent = agent.assign_research_ids(store, actor, LinkOptions(engine="duckdb"))
    agent.send_requests(store, agreement, actor, cycle=settings.cycle, as_of=settings.as_of)
    agent.send_key_maps(
        store, agreement, actor, cycle=settings.cycle, research=RESEARCH, as_of=settings.as_of
    )
    store.close()
    post_outboxes(layout, [AGENT])


def run_departments(
    layout: StudyLayout, world: Path, settings: StudySettings, summary: StudySummary, step: Step
) -> None:
    agreement = layout.agreement()
    for party in DEPARTMENTS:
        step(f"department {party}: load holdings, match the request, return outcomes, purge")
        store = RoleStore.open(layout.store_path(party), role="department")
        actor = department.Actor(f"{party}-matching-analyst", PURPOSE)
        department.load_holdings(store, world / "departments" / party, actor)
        answers = department.answer_requests(
            store,
            agreement,
            actor,
            research=RESEARCH,
            as_of=settings.as_of,
            options=LinkOptions(engine=settings.engine),
        )
        requests = sum(a.requests for a in answers)
        matched = sum(a.matched for a in answers)
        if answers:
            summary.departments[party] = {
                "requests": requests,
                "matched": matched,
                "match_rate": matched / requests if requests else 0.0,
            }
        store.close()
    post_outboxes(layout, list(DEPARTMENTS))


def run_research(
    layout: StudyLayout, world: Path, settings: StudySettings, summary: StudySummary, step: Step
) -> None:
    step("research: ingest, linked dataset")
    agreement = layout.agreement()
    actor = research.Actor("evaluation-researcher", PURPOSE)
    with RoleStore.open(layout.store_path(RESEARCH), role="research") as store:
        research.ingest_packages(store, agreement, actor)
        summary.research = research.build_linked_dataset(store, actor)
        summary.departments = summary.departments or _match_rates_held_by_research(store, actor)
        step("research: evaluation, disclosure control of every output, report")
        metadata = {
            "world": f"{'synthetic world' if (world / 'world.json').is_file() else 'data'} in {world.name}, "
            f"{len(summary.councils)} councils",
            "agreement_id": agreement.id,
            "synthetic": (world / "world.json").is_file(),
        }
        with store.session(operator=actor.operator, purpose=actor.purpose) as con:
            summary.outputs = produce_study_outputs(
                con,
                layout.outputs,
                metadata=metadata,
                seed=settings.seed,
                bootstrap=settings.bootstrap,
                observed_until=settings.observed_until,
            )
        store.record(
            "outputs_released",
            operator=actor.operator,
            purpose=actor.purpose,
            report=summary.outputs.report_html.name,
            **summary.outputs.output_check,
        )


def _match_rates_held_by_research(store: RoleStore, actor: research.Actor) -> dict[str, dict[str, float]]:
    """On a re-run no request is pending, so report the match rates research already received."""
    table = store.read(
        "SELECT department, measure, value FROM linkage_quality",
        operator=actor.operator,
        purpose=actor.purpose,
        what="match quality totals",
    )
    rates: dict[str, dict[str, float]] = {}
    for dept, measure, value in zip(*(table[c].to_pylist() for c in table.column_names), strict=True):
        rates.setdefault(dept, {})[measure] = float(value)
    return {
        d: {
            "requests": r.get("requests", 0.0),
            "matched": r.get("matched", 0.0),
            "match_rate": r.get("match_rate", 0.0),
        }
        for d, r in rates.items()
    }


def run_study(world: Path, root: Path, settings: StudySettings, step: Step = lambda _: None) -> StudySummary:
    """Run every role's steps in order; safe to run again after an interruption."""
    councils = councils_in(world)
    step("setting up stores, keys and the agreement")
    layout = set_up_study(root, councils, settings.operator)
    summary = StudySummary(root)
    run_councils(layout, world, councils, settings, summary, step)
    run_agent(layout, settings, summary, step)
    run_departments(layout, world, settings, summary, step)
    run_research(layout, world, settings, summary, step)
    return summary
