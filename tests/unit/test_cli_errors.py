"""The CLI's error contract: user errors print without a traceback and exit with a stable code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from famlink import errors
from famlink.cli.main import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "reference" / "exit-codes.md"


def test_every_error_class_has_a_distinct_documented_exit_code() -> None:
    codes = [cls.exit_code for cls in errors.ALL_ERROR_CLASSES]
    assert len(codes) == len(set(codes))
    documented = {int(m) for m in re.findall(r"^\| (\d+) \|", DOC.read_text(), flags=re.M)}
    assert set(codes) <= documented


def test_user_error_exits_with_its_code_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["synth", "--families", "0", "--out", str(tmp_path / "w")])
    captured = capsys.readouterr()
    assert code != 0
    assert "Traceback" not in captured.err + captured.out


def test_help_lists_commands() -> None:
    assert main(["--help"]) == 0


def test_square_brackets_in_messages_survive(capsys: pytest.CaptureFixture[str]) -> None:
    from famlink.cli.main import _print_user_error

    _print_user_error(errors.DisclosureError("cell shown as [c] was derivable", where="table [x]"))
    err = capsys.readouterr().err
    assert "[c]" in err and "[x]" in err
