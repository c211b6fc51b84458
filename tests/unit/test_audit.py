"""The audit chain detects each kind of tampering and names where."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from famlink.errors import ConfigError
from famlink.governance.audit import AuditLog


def make_log(tmp_path: Path, n: int = 4) -> AuditLog:
    log = AuditLog(tmp_path / "audit.jsonl")
    for i in range(n):
        log.append(f"action{i}", operator="analyst", purpose="test", rows=i)
    return log


def rewrite(log: AuditLog, lines: list[str]) -> None:
    log.path.write_text("\n".join(lines) + "\n")


def test_untouched_log_verifies(tmp_path: Path) -> None:
    assert make_log(tmp_path).verify().ok


def test_edit_is_detected_at_its_entry(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    lines = log.path.read_text().splitlines()
    record = json.loads(lines[1])
    record["rows"] = 99
    lines[1] = json.dumps(record, sort_keys=True)
    rewrite(log, lines)
    assert any("entry 2" in p and "edited" in p for p in log.verify().problems)


def test_deletion_is_detected(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    lines = log.path.read_text().splitlines()
    rewrite(log, lines[:1] + lines[2:])
    assert not log.verify().ok


def test_reorder_is_detected(tmp_path: Path) -> None:
    log = make_log(tmp_path)
    lines = log.path.read_text().splitlines()
    lines[1], lines[2] = lines[2], lines[1]
    rewrite(log, lines)
    assert not log.verify().ok


def test_identifier_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        AuditLog(tmp_path / "a.jsonl").append(
            "x", operator="o", purpose="p", details={"nhs_number": "9991590838"}
        )
