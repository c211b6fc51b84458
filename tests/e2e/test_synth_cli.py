"""`famlink synth` as a user runs it: a world on success, exit 10 and nothing written on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from famlink.cli.main import main
from famlink.synth.summary import summarise_world


def test_synth_writes_a_world_that_can_be_summarised(tmp_path: Path) -> None:
    out = tmp_path / "world"
    code = main(
        [
            "synth",
            "--families",
            "40",
            "--councils",
            "2",
            "--seed",
            "3",
            "--background",
            "1",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert (out / "world.json").is_file() and (out / "departments" / "dfe" / "attendance.parquet").is_file()
    summary = summarise_world(out)
    assert "Councils: 2" in summary and "LA02" in summary and "looked_after" in summary
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    "arguments",
    [
        ["--families", "0"],
        ["--councils", "0"],
        ["--families", "2", "--councils", "3"],
        ["--background", "-1"],
    ],
)
def test_bad_arguments_exit_10_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    out = tmp_path / "world"
    assert main(["synth", *arguments, "--out", str(out)]) == 10
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert "bad configuration" in capsys.readouterr().err


def test_an_existing_world_is_not_overwritten_unless_asked(tmp_path: Path) -> None:
    out = tmp_path / "world"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert (
        main(["synth", "--families", "20", "--councils", "1", "--background", "0", "--out", str(out)]) == 10
    )
    assert (out / "keep.txt").read_text() == "mine"
    args = [
        "synth",
        "--families",
        "20",
        "--councils",
        "1",
        "--background",
        "0",
        "--overwrite",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    assert not (out / "keep.txt").exists() and (out / "world.json").is_file()
