"""`famlink demo` as a user runs it: world, then the whole study; a second run reuses finished work."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from famlink.cli.main import main


def test_demo_runs_the_study_and_a_rerun_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["demo", "--out", str(tmp_path), "--families", "60", "--councils", "2", "--seed", "3"]
    assert main(args) == 0
    first = capsys.readouterr()
    assert "Programme families by status" in first.out
    assert "Department matching" in first.out
    cohort_line = re.search(r"Research linked dataset: .*", first.out)
    assert cohort_line is not None
    stamp = (tmp_path / "world" / "world.json").stat().st_mtime_ns
    assert main(args) == 0
    second = capsys.readouterr()
    assert "reusing the synthetic world" in second.err
    assert (tmp_path / "world" / "world.json").stat().st_mtime_ns == stamp
    assert re.search(r"Research linked dataset: .*", second.out).group(0) == cohort_line.group(0)  # type: ignore[union-attr]
