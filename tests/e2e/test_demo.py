"""`famlink demo` as a user runs it: a world appears and its summary prints; a second run reuses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from famlink.cli.main import main


def test_demo_generates_then_reuses_the_world(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["demo", "--out", str(tmp_path), "--families", "120", "--councils", "2", "--seed", "3"]
    assert main(args) == 0
    first = capsys.readouterr()
    assert "Programme families by status" in first.out
    assert (tmp_path / "world" / "world.json").is_file()
    stamp = (tmp_path / "world" / "world.json").stat().st_mtime_ns
    assert main(args) == 0
    assert "reusing the synthetic world" in capsys.readouterr().err
    assert (tmp_path / "world" / "world.json").stat().st_mtime_ns == stamp
