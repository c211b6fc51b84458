"""`famlink link` / `famlink dedupe` as a user runs them: outputs, and every bad-input case.

Each bad input must exit with its documented code, name the file, row and column, never print a
value from the file, and leave no output behind.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from famlink.cli.main import main

HEADER = "record_id,first_name,surname,sex,date_of_birth,postcode,address,nhs_number\n"
ROWS = [
    "1,Amara,Okafor,F,1984-03-07,LS6 2AB,14 Cardigan Road,9434765919\n",
    "2,Tomasz,Nowak,M,07/11/1990,M1 1AE,3 Mill Street,\n",
    "3,Grace,Hughes,F,1.2.1979,CR2 6XH,9 Hill Rise,\n",
]
RIGHT = [
    "A,Amara,Okafor,F,1984-03-07,LS6 2AB,14 Cardigan Rd,9434765919\n",
    "B,Tom,Nowak,M,1990-11-07,M1 1AE,3 Mill St,\n",
    "C,Peter,Clarke,M,1960-05-05,EC1A 1BB,1 Long Lane,\n",
]
SECRET = "Okafor"


def write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path / "left.csv", HEADER + "".join(ROWS)), write(
        tmp_path / "right.csv", HEADER + "".join(RIGHT)
    )


def outputs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_link_writes_links_review_model_and_report(files: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "out" / "links.csv"
    assert main(["link", str(files[0]), str(files[1]), "--out", str(out)]) == 0
    assert outputs(out.parent) == [
        "links.csv",
        "links.model.json",
        "links.quality.html",
        "links.quality.json",
        "links.review.csv",
    ]
    lines = out.read_text().splitlines()
    assert lines[0] == '"left_id","right_id","match_probability","match_weight","decided_by"'
    assert any(line.startswith('"1","A"') and line.endswith('"exact"') for line in lines)
    quality = json.loads((out.parent / "links.quality.json").read_text())
    assert quality["counts"]["left_records"] == 3
    assert "<svg" in (out.parent / "links.quality.html").read_text()
    assert SECRET not in (out.parent / "links.quality.html").read_text()


def test_model_reuse_and_truth_report(files: tuple[Path, Path], tmp_path: Path) -> None:
    first = tmp_path / "first" / "links.parquet"
    assert main(["link", str(files[0]), str(files[1]), "--out", str(first)]) == 0
    truth = write(tmp_path / "truth.csv", "left_id,right_id\n1,A\n2,B\n")
    second = tmp_path / "second" / "links.csv"
    model = first.parent / "links.model.json"
    code = main(
        ["link", *map(str, files), "--out", str(second), "--model", str(model), "--truth", str(truth)]
    )
    assert code == 0
    report = json.loads((second.parent / "links.quality.json").read_text())["truth"]
    assert report["true_pairs"] == 2 and set(report) >= {"precision", "recall", "f1"}


def test_dedupe_writes_one_cluster_per_record(tmp_path: Path) -> None:
    source = write(tmp_path / "people.csv", HEADER + "".join(ROWS) + RIGHT[0].replace("A,", "4,", 1))
    out = tmp_path / "out" / "clusters.csv"
    assert main(["dedupe", str(source), "--out", str(out)]) == 0
    rows = [line.split(",") for line in out.read_text().splitlines()[1:]]
    clusters = {r[0].strip('"'): r[1].strip('"') for r in rows}
    assert len(clusters) == 4 and clusters["1"] == clusters["4"] and clusters["2"] != clusters["1"]


BAD_INPUTS = {
    "missing required column": ("record_id,first_name,date_of_birth\n1,Amara,1984-03-07\n", ["surname"], 3),
    "duplicate record ids": (HEADER + ROWS[0] + ROWS[1].replace("2,", "1,", 1), ["row 2", "record_id"], 3),
    "empty file": ("", ["empty"], 3),
    "header only": (HEADER, ["no rows"], 3),
    "wrong delimiter": (HEADER.replace(",", ";") + ROWS[0].replace(",", ";"), ["semicolon", "line 1"], 3),
    "impossible date": (
        HEADER + ROWS[0] + ROWS[1].replace("07/11/1990", "31/02/1990"),
        ["row 2", "date_of_birth"],
        3,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_clearly_with_no_output(
    case: str, files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, must_mention, code = BAD_INPUTS[case]
    bad = write(tmp_path / "bad.csv", text)
    out = tmp_path / "out" / "links.csv"
    assert main(["link", str(bad), str(files[1]), "--out", str(out)]) == code
    message = capsys.readouterr().err
    assert str(bad) in message.replace("\n", "")
    for phrase in must_mention:
        assert phrase in message
    assert SECRET not in message
    assert outputs(out.parent) == []


def test_non_utf8_bytes_are_refused_naming_the_line(files: tuple[Path, Path], tmp_path: Path, capsys) -> None:
    bad = write(
        tmp_path / "latin1.csv", (HEADER + ROWS[0] + "2,Zoë,Nowak,F,1990-01-01,,,\n").encode("latin-1")
    )
    out = tmp_path / "out" / "links.csv"
    assert main(["link", str(bad), str(files[1]), "--out", str(out)]) == 3
    assert "line 3" in capsys.readouterr().err
    assert outputs(out.parent) == []


def test_unknown_column_in_map_is_refused(files: tuple[Path, Path], tmp_path: Path, capsys) -> None:
    out = tmp_path / "out" / "links.csv"
    code = main(["link", *map(str, files), "--out", str(out), "--map", "forename=first_name"])
    assert code == 3
    assert "forename" in capsys.readouterr().err
    assert outputs(out.parent) == []


def test_map_renames_a_councils_own_column_names(tmp_path: Path, files: tuple[Path, Path]) -> None:
    left = write(tmp_path / "own.csv", (HEADER + "".join(ROWS)).replace("first_name", "forename", 1))
    out = tmp_path / "out" / "links.csv"
    assert main(["link", str(left), str(files[1]), "--out", str(out), "--map", "forename=first_name"]) == 0


def test_a_map_onto_a_column_outside_the_schema_is_a_configuration_error(files, tmp_path: Path) -> None:
    out = tmp_path / "out" / "links.csv"
    assert main(["link", *map(str, files), "--out", str(out), "--map", "surname=family"]) == 10


def test_a_review_band_above_the_threshold_is_a_configuration_error(files, tmp_path: Path) -> None:
    out = tmp_path / "out" / "links.csv"
    assert (
        main(["link", *map(str, files), "--out", str(out), "--threshold", "0.9", "--review-band", "0.5:0.99"])
        == 10
    )
    assert outputs(out.parent) == []
