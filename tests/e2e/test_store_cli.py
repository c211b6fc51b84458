"""The documented set-up, as a user runs it: keys, stores, the agreement's key folder, then a package."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from famlink.agreement import load_agreement
from famlink.cli.main import main
from famlink.errors import AgreementError, StoreError
from famlink.governance.store import RoleStore
from tests.integration.governance_fixtures import PURPOSE, TO_AGENT, identifiers_table


def run(*args: str) -> int:
    return main([str(a) for a in args])


def test_setting_up_two_parties_and_moving_a_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAMLINK_OPERATOR", "ann")
    agreement = tmp_path / "agreement" / "agreement.yaml"
    assert run("agreement", "template", agreement) == 0
    assert run("keys", "new", "--party", "LA01", "--store", tmp_path / "la01") == 0
    assert run("keys", "new", "--party", "LA01", "--store", tmp_path / "la01") == StoreError.exit_code
    assert run("store", "create", tmp_path / "la01", "--role", "council", "--party", "LA01") == 0
    assert run("store", "create", tmp_path / "ons", "--role", "agent", "--party", "ons") == 0
    assert run("agreement", "add-key", agreement, tmp_path / "la01" / "keys" / "LA01.pub") == 0
    assert run("agreement", "add-key", agreement, tmp_path / "ons" / "keys" / "ons.pub") == 0
    assert (
        run("agreement", "add-key", agreement, tmp_path / "ons" / "keys" / "ons.pub") == 0
    )  # same key: fine
    identity = tmp_path / "la01" / "keys" / "identity.age"
    assert stat.S_IMODE(identity.stat().st_mode) == 0o600

    council = RoleStore.open(tmp_path / "la01", role="council")
    package = council.export_package(
        {"identifiers": identifiers_table()}, agreement=load_agreement(agreement), recipient="ons",
        purpose=PURPOSE, flow=TO_AGENT, operator="ann",
    ).path  # fmt: skip
    council.close()
    capsys.readouterr()
    assert run("package", "inspect", package) == 0
    assert "LA01  to  ons" in capsys.readouterr().out
    imported = ("package", "import", package, "--store", tmp_path / "ons", "--agreement", agreement)
    assert run(*imported, "--purpose", PURPOSE, "--as-of", "2031-01-01") == AgreementError.exit_code
    assert run(*imported, "--purpose", PURPOSE) == 0
    capsys.readouterr()
    assert run("store", "info", tmp_path / "ons") == 0
    info = json.loads(capsys.readouterr().out)
    assert info["role"] == "agent" and len(info["imported_packages"]) == 1
    assert run("audit", "verify", tmp_path / "ons") == 0
    actions = [
        json.loads(line)["action"] for line in (tmp_path / "ons" / "audit.jsonl").read_text().splitlines()
    ]
    assert actions[-2:] == ["import_refused", "import"]
