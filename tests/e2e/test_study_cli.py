"""Each role on its own, by the CLI, as separate machines would run them.

Every party creates its own store and keys, files its public key in the agreement, and runs its
steps with `famlink council|agent|department|research ...`; packages travel only by copying a
file from the sender's outbox into the recipient's inbox (the secure transfer service's job).
The research store must end up with the linked dataset.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from famlink.cli.main import main
from famlink.exchange.manifest import PACKAGE_SUFFIX, read_header
from famlink.study.layout import DEPARTMENTS
from tests.e2e.study_checks import store_tables

AS_OF = "2026-06-01"
COUNCILS = ("LA01", "LA02")
ROLES = {**dict.fromkeys(COUNCILS, "council"), "ons": "agent", "research": "research"}
ROLES |= dict.fromkeys(DEPARTMENTS, "department")


@pytest.fixture(scope="module")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from famlink.synth.config import SynthConfig
    from famlink.synth.world import generate_world

    world = tmp_path_factory.mktemp("cli_world") / "world"
    generate_world(SynthConfig(families=30, councils=2, seed=3), world)
    return world


def famlink(*args: str | Path) -> None:
    code = main([str(a) for a in args])
    assert code == 0, f"famlink {' '.join(map(str, args[:2]))} exited {code}"


def transfer(stores: Path, sender: str) -> int:
    """Copy each package in `sender`'s outbox to its recipient's inbox, as a transfer service would."""
    sent = 0
    for package in sorted((stores / sender / "outbox").glob(f"*{PACKAGE_SUFFIX}")):
        recipient = read_header(package).manifest.recipient
        target = stores / recipient / "inbox" / package.name
        if not target.exists():
            shutil.copyfile(package, target)
            sent += 1
    return sent


def test_each_role_by_cli_builds_the_linked_dataset(
    tiny_world: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAMLINK_OPERATOR", "cli-test")
    agreement, stores = tmp_path / "agreement" / "agreement.yaml", tmp_path / "machines"
    famlink("agreement", "template", agreement)
    for party, role in ROLES.items():
        famlink("store", "create", stores / party, "--role", role, "--party", party)
        famlink("agreement", "add-key", agreement, stores / party / "keys" / f"{party}.pub")
    common = ("--agreement", agreement, "--as-of", AS_OF)
    for council in COUNCILS:
        famlink(
            "council",
            "load",
            "--store",
            stores / council,
            "--data",
            tiny_world / "councils" / council,
            "--purpose",
            "national-impact-study",
        )
        famlink("council", "cohort", "--store", stores / council, "--purpose", "national-impact-study")
        famlink(
            "council",
            "export",
            "--store",
            stores / council,
            "--export-id",
            "cycle-1",
            "--purpose",
            "national-impact-study",
            *common,
        )
        assert transfer(stores, council) == 2
    agent = ("--store", stores / "ons")
    famlink("agent", "ingest", *agent, *common)
    famlink("agent", "assign-ids", *agent)
    famlink("agent", "send-requests", *agent, *common)
    famlink("agent", "send-keymaps", *agent, *common)
    famlink("agent", "send-requests", *agent, *common)  # a re-run seals nothing new
    assert transfer(stores, "ons") == len(DEPARTMENTS) + 1
    for department in DEPARTMENTS:
        store = ("--store", stores / department)
        famlink("department", "load", *store, "--holdings", tiny_world / "departments" / department)
        famlink("department", "answer", *store, *common)
        famlink("department", "purge", *store)
        assert transfer(stores, department) == 1
        assert not (stores / department / "data" / "match_request.duckdb").exists()
    famlink("research", "ingest", "--store", stores / "research", *common)
    famlink("research", "build-linked", "--store", stores / "research")
    research = store_tables(stores / "research")
    assert research["main_db.cohort"].num_rows > 20
    for linked in ("moj_events", "dwp_benefit_spells", "dfe_attendance"):
        assert research[f"main_db.{linked}"].num_rows > 0, linked
    assert research["main_db.request_key_map"].num_rows > 0
    assert set(research["main_db.linkage_quality"]["department"].to_pylist()) == set(DEPARTMENTS)


def test_step_commands_refuse_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAMLINK_OPERATOR", "cli-test")
    agreement = tmp_path / "agreement.yaml"
    famlink("agreement", "template", agreement)
    famlink("store", "create", tmp_path / "LA01", "--role", "council", "--party", "LA01")
    missing = tmp_path / "nowhere.yaml"
    assert main(["agent", "ingest", "--store", str(tmp_path / "LA01"), "--agreement", str(missing)]) == 10
    assert main(["department", "purge", "--store", str(tmp_path / "LA01")]) == 7  # not a department store
    assert main(["research", "build-linked", "--store", str(tmp_path / "none")]) == 7
    assert main(["department", "load", "--store", str(tmp_path / "LA01"), "--holdings", str(missing)]) == 10
    assert (
        main(
            [
                "agent",
                "send-requests",
                "--store",
                str(tmp_path / "LA01"),
                "--agreement",
                str(agreement),
                "--as-of",
                "01/06/2026",
            ]
        )
        == 2
    )


def test_the_whole_study_runs_by_one_command_into_a_workspace(tiny_world: Path, tmp_path: Path) -> None:
    """`famlink study run --world DIR --workspace WS` (the issue's spelling; `--out` is the same)."""
    workspace = tmp_path / "ws"
    assert (
        main(["study", "run", "--world", str(tiny_world), "--workspace", str(workspace), "--as-of", AS_OF])
        == 0
    )
    research = store_tables(workspace / "stores" / "research")
    for linked in ("moj_events", "dwp_benefit_spells", "dfe_attendance"):
        assert research[f"main_db.{linked}"].num_rows > 0, linked
