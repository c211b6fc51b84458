"""`famlink audit verify STORE` names each kind of tampering and exits with code 6."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from famlink.cli.main import main
from famlink.errors import AuditIntegrityError
from famlink.governance.audit import AuditLog


def store_with_log(tmp_path: Path, entries: int = 5) -> Path:
    log = AuditLog(tmp_path / "store" / "audit.jsonl")
    for i in range(entries):
        log.append("import", operator="bob", purpose="study", package_id=f"{i:032x}", rows=10 * i)
    return tmp_path / "store"


def lines_of(store: Path) -> list[str]:
    return (store / "audit.jsonl").read_text().splitlines()


def edit(lines: list[str]) -> list[str]:
    record = json.loads(lines[2])
    record["rows"] = 0
    return [*lines[:2], json.dumps(record, sort_keys=True), *lines[3:]]


def forge_insert(lines: list[str]) -> list[str]:
    """A forger copies entry 2, changes it and even recomputes its hash; the chain still breaks."""
    forged = json.loads(lines[1])
    forged["action"] = "read"
    forged.pop("hash")
    from famlink.governance.audit import _digest

    forged["hash"] = _digest(forged)
    return [*lines[:2], json.dumps(forged, sort_keys=True), *lines[2:]]


TAMPERING: dict[str, tuple[Callable[[list[str]], list[str]], str]] = {
    "edited": (edit, "line 3 (entry 3): content edited"),
    "deleted": (lambda ls: [*ls[:1], *ls[2:]], "entry 2 deleted before it"),
    "inserted": (forge_insert, "inserted (a second entry numbered 2)"),
    "reordered": (lambda ls: [ls[0], ls[2], ls[1], *ls[3:]], "moved"),
    "cut from the end": (lambda ls: ls[:3], "entries 4 to 5 deleted from the end"),
}


def test_intact_log_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", str(store_with_log(tmp_path))]) == 0
    assert "5 entries, chain intact" in capsys.readouterr().out


@pytest.mark.parametrize("kind", list(TAMPERING))
def test_tampering_is_detected_and_named(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = store_with_log(tmp_path)
    tamper, expected = TAMPERING[kind]
    (store / "audit.jsonl").write_text("\n".join(tamper(lines_of(store))) + "\n")
    assert main(["audit", "verify", str(store)]) == AuditIntegrityError.exit_code == 6
    assert expected in capsys.readouterr().err


def test_missing_log_is_a_failure_not_a_pass(tmp_path: Path) -> None:
    (tmp_path / "empty-store").mkdir()
    assert main(["audit", "verify", str(tmp_path / "empty-store")]) == 6


def test_show_lists_the_latest_entries_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = store_with_log(tmp_path)
    assert main(["audit", "show", str(store), "--json", "--last", "2"]) == 0
    shown = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["seq"] for e in shown] == [4, 5] and shown[-1]["rows"] == 40
