"""`famlink disclose crosstab` run as a user would, in-process through the CLI entry point."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from famlink.cli.main import main


@pytest.fixture
def microdata(tmp_path: Path) -> Path:
    rows = [("LA01", "programme")] * 42 + [("LA01", "never")] * 31 + [("LA02", "programme")] * 27
    rows += [("LA02", "never")] * 36 + [("LA03", "programme")] * 4 + [("LA03", "never")] * 19
    path = tmp_path / "people.csv"
    pd.DataFrame(rows, columns=["council", "group"]).to_csv(path, index=False)
    return path


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def test_crosstab_writes_the_protected_table_and_the_log(microdata: Path, tmp_path: Path) -> None:
    out, log = tmp_path / "table.csv", tmp_path / "log.json"
    code = main(["disclose", "crosstab", str(microdata), "--rows", "council", "--cols", "group", "--margins",
                 "--out", str(out), "--log", str(log)])  # fmt: skip
    assert code == 0
    assert read_csv(out) == [
        ["council", "never", "programme", "Total"],
        ["LA01", "[c]", "[c]", "75"],
        ["LA02", "35", "25", "65"],
        ["LA03", "[c]", "[c]", "25"],
        ["Total", "85", "75", "160"],
    ]
    entry = json.loads(log.read_text())["outputs"][0]
    assert entry["status"] == "protected"
    assert entry["rules"][0]["cells"] == ["LA03 / programme"]


def test_threshold_and_rounding_options_change_the_rules(microdata: Path, tmp_path: Path) -> None:
    out = tmp_path / "table.csv"
    code = main(["disclose", "crosstab", str(microdata), "--rows", "council", "--cols", "group",
                 "--threshold", "3", "--round", "1", "--out", str(out)])  # fmt: skip
    assert code == 0
    assert read_csv(out)[3] == ["LA03", "19", "4"]


def test_parquet_input_and_a_one_way_table(microdata: Path, tmp_path: Path) -> None:
    parquet, out = tmp_path / "people.parquet", tmp_path / "one.csv"
    pd.read_csv(microdata).to_parquet(parquet)
    assert main(["disclose", "crosstab", str(parquet), "--rows", "council", "--out", str(out)]) == 0
    assert read_csv(out) == [["council", "count"], ["LA01", "75"], ["LA02", "65"], ["LA03", "25"]]


def test_a_missing_column_is_exit_3_and_writes_nothing(
    microdata: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "table.csv"
    code = main(
        ["disclose", "crosstab", str(microdata), "--rows", "council", "--cols", "sex", "--out", str(out)]
    )
    assert code == 3
    assert "missing required column(s): sex" in capsys.readouterr().err
    assert not out.exists()


def test_a_zero_threshold_is_a_configuration_error(microdata: Path, tmp_path: Path) -> None:
    code = main(["disclose", "crosstab", str(microdata), "--rows", "council", "--threshold", "0",
                 "--out", str(tmp_path / "t.csv")])  # fmt: skip
    assert code == 10
