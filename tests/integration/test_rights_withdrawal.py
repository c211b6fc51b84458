"""An objection after sharing reaches every party, and the next cycle carries none of the person.

The study runs once; three people shared by LA01 then object (`famlink council objection add`, then
`famlink council withdraw`); the withdrawal runner carries it through the agent, the departments and
research; the next cycle runs. Then no store table, no package sealed after the withdrawal and no
research output holds their NHS number, their council references, their research ids or their
request references, and every party's audit log records the step without any of those values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from famlink.agreement import load_agreement
from famlink.cli.main import main
from famlink.exchange.manifest import PACKAGE_SUFFIX
from famlink.governance.store import RoleStore
from famlink.roles.research import service as research
from famlink.study.layout import RESEARCH, set_up_study
from famlink.study.run import (
    StudySettings,
    StudySummary,
    councils_in,
    run_agent,
    run_councils,
    run_departments,
)
from famlink.study.withdraw import carry_withdrawals
from tests.integration.rights_fixtures import AS_OF, open_all, tiny_world, values_in_store, values_in_tables

WITHDRAWN = 3


@dataclass
class Withdrawn:
    root: Path
    world: Path
    values: set[str]
    earlier_packages: set[str]
    cohort_before: int


def _single_council_people(world: Path) -> set[str]:
    """LA01 case-list records of people who are on no other council's case list (no moved family)."""
    records = pq.read_table(world / "truth" / "records.parquet").to_pylist()
    councils: dict[str, set[str]] = {}
    for r in records:
        if r["source"].endswith("/case_list"):
            councils.setdefault(r["person_id"], set()).add(r["source"])
    return {
        r["record_id"]
        for r in records
        if r["source"] == "council/LA01/case_list" and councils[r["person_id"]] == {"council/LA01/case_list"}
    }


def _their_values(root: Path, record_ids: list[str]) -> set[str]:
    """NHS numbers, council refs, research ids and request refs of the people, before withdrawal."""
    with RoleStore.open(root / "stores" / "LA01") as store, store.session() as con:
        marks = ",".join("?" * len(record_ids))
        nhs = con.execute(
            f"SELECT nhs_number FROM case_list WHERE record_id IN ({marks})", record_ids
        ).fetchall()
        refs = con.execute(
            f"SELECT council_ref FROM export_refs WHERE record_id IN ({marks})", record_ids
        ).fetchall()
    council_refs = [r[0] for r in refs]
    with RoleStore.open(root / "stores" / "ons") as store, store.session() as con:
        marks = ",".join("?" * len(council_refs))
        people = con.execute(
            f"SELECT DISTINCT person_id FROM person_ids WHERE council = 'LA01' AND council_ref IN ({marks})",
            council_refs,
        ).fetchall()
        ids = [p[0] for p in people]
        requests = con.execute(
            f"SELECT request_ref FROM requests WHERE person_id IN ({','.join('?' * len(ids))})", ids
        ).fetchall()
    assert len(ids) == len(record_ids), "each chosen person has one research id"
    assert requests, "the chosen people were sent to departments"
    return {v[0] for v in nhs if v[0]} | set(council_refs) | set(ids) | {r[0] for r in requests}


def run_cycle(world: Path, root: Path, settings: StudySettings) -> None:
    """Every role's steps of `famlink study run` up to the linked dataset, which every output is built
    from (the evaluation and report steps are left out to keep the test within the CI budget)."""
    councils = councils_in(world)
    layout = set_up_study(root, councils, settings.operator)
    summary = StudySummary(root)
    run_councils(layout, world, councils, settings, summary, lambda _: None)
    run_agent(layout, settings, summary, lambda _: None)
    run_departments(layout, world, settings, summary, lambda _: None)
    with RoleStore.open(layout.store_path(RESEARCH), role="research") as store:
        actor = research.Actor("evaluation-researcher", "national-impact-study")
        research.ingest_packages(store, layout.agreement(), actor)
        research.build_linked_dataset(store, actor)


def _packages(root: Path) -> set[str]:
    return {p.name for p in (root / "stores").glob(f"*/outbox/*{PACKAGE_SUFFIX}")}


@pytest.fixture(scope="module")
def withdrawn(tmp_path_factory: pytest.TempPathFactory) -> Withdrawn:
    world = tiny_world(tmp_path_factory)
    root = tmp_path_factory.mktemp("withdrawal-study")
    run_cycle(world, root, StudySettings(as_of=AS_OF))
    with RoleStore.open(root / "stores" / "LA01") as store, store.session() as con:
        included = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT r.record_id FROM export_included i "
                "JOIN export_refs r USING (export_id, council_ref) "
                "JOIN case_list c USING (record_id) WHERE c.nhs_number IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
    with RoleStore.open(root / "stores" / "research") as store, store.session() as con:
        cohort_before = con.execute("SELECT count(*) FROM cohort").fetchall()[0][0]
    chosen = [r for r in included if r in _single_council_people(world)][:WITHDRAWN]
    values = _their_values(root, chosen)
    store = str(root / "stores" / "LA01")
    who = ["--operator", "dpo", "--purpose", "withdrawal"]
    for record_id in chosen:
        assert main(["council", "objection", "add", "--store", store, "--record-ref", record_id,
                     "--date", "2020-06-15", "--channel", "letter", *who]) == 0  # fmt: skip
    agreement = str(root / "agreement" / "agreement.yaml")
    assert (
        main(
            ["council", "withdraw", "--store", store, "--agreement", agreement, "--as-of", "2020-06-20", *who]
        )
        == 0
    )
    carry_withdrawals(root, as_of=date(2020, 6, 20))
    return Withdrawn(root, world, values, _packages(root), cohort_before)


@pytest.fixture(scope="module")
def next_cycle(withdrawn: Withdrawn) -> Withdrawn:
    """The study's second cycle, run after the withdrawal."""
    run_cycle(withdrawn.world, withdrawn.root, StudySettings(as_of=date(2020, 7, 1), cycle="cycle-2"))
    return withdrawn


PARTIES = ["ons", "dwp", "moj", "dfe", "research", "LA02"]


@pytest.mark.parametrize("party", PARTIES)
def test_after_the_withdrawal_no_store_holds_them(withdrawn: Withdrawn, party: str) -> None:
    assert not values_in_store(withdrawn.root / "stores" / party) & withdrawn.values


@pytest.mark.parametrize("party", PARTIES)
def test_after_the_next_cycle_no_store_holds_them(next_cycle: Withdrawn, party: str) -> None:
    assert not values_in_store(next_cycle.root / "stores" / party) & next_cycle.values


def test_no_later_package_carries_them(next_cycle: Withdrawn) -> None:
    withdrawn = next_cycle
    root = withdrawn.root
    later = _packages(root) - withdrawn.earlier_packages
    assert len(later) >= 8, "the next cycle sealed identifiers, requests, key maps and answers"
    stores = {p.name: p for p in (root / "stores").iterdir()}
    agreement = load_agreement(root / "agreement" / "agreement.yaml")
    tables = [
        table
        for folder in (root / "stores").glob("*/outbox")
        for package in open_all(folder, agreement, stores, only=later)
        for table in package.values()
    ]
    assert not values_in_tables(tables) & withdrawn.values


def test_research_linked_dataset_leaves_them_out(withdrawn: Withdrawn) -> None:
    with RoleStore.open(withdrawn.root / "stores" / "research") as store, store.session() as con:
        cohort = con.execute("SELECT count(*) FROM cohort").fetchall()[0][0]
    assert cohort == withdrawn.cohort_before - WITHDRAWN


def test_the_next_cycles_linked_dataset_leaves_them_out(next_cycle: Withdrawn) -> None:
    with RoleStore.open(next_cycle.root / "stores" / "research") as store, store.session() as con:
        ids = {r[0] for r in con.execute("SELECT person_id FROM cohort").fetchall()}
    assert ids, "the next cycle built a linked dataset"
    assert not ids & next_cycle.values


def test_every_party_audits_the_withdrawal_without_identifiers(withdrawn: Withdrawn) -> None:
    expected = {
        "LA01": "withdrawal_sent",
        "ons": "withdrawal_applied",
        "dwp": "purge_applied",
        "research": "withdrawal_applied",
    }
    for party, action in expected.items():
        log = (withdrawn.root / "stores" / party / "audit.jsonl").read_text(encoding="utf-8")
        assert f'"action": "{action}"' in log
        assert not any(value in log for value in withdrawn.values)
