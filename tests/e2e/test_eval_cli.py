"""`famlink evaluate` as a user runs it: a CSV in, a JSON and a table out, clear errors on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from famlink.cli.main import main


def write_study(path: Path, n_families: int = 150, seed: int = 5) -> Path:
    """Selection on x (families with higher x join more often), true effect −0.1 on y."""
    rng = np.random.default_rng(seed)
    family = np.repeat(np.arange(n_families), 2)
    x = rng.normal(size=n_families)[family]
    treated = (rng.random(n_families) < 1 / (1 + np.exp(-x[::2])))[family].astype(int)
    y = (rng.random(len(family)) < 0.3 + 0.1 * (x > 0) - 0.1 * treated).astype(int)
    table = pa.table(
        {
            "family": [f"F{f:04d}" for f in family],
            "joined": treated,
            "x": x.round(4),
            "council": np.where(family % 2 == 0, "LA01", "LA02"),
            "y": y,
            "y_before": (rng.random(len(family)) < 0.3 + 0.1 * (x > 0)).astype(int),
        }
    )
    pacsv.write_csv(table, path)
    return path


def evaluate_args(data: Path, out: Path, *extra: str) -> list[str]:
    return ["evaluate", "--data", str(data), "--treatment", "joined", "--outcome", "y",
            "--covariates", "x,council", "--json", str(out), *extra]  # fmt: skip


def test_evaluate_writes_json_and_prints_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_study(tmp_path / "study.csv")
    out = tmp_path / "out" / "result.json"
    plot = tmp_path / "support.png"
    code = main(
        evaluate_args(data, out, "--cluster", "family", "--method", "psm_bc", "--seed", "3",
                      "--se", "ai", "--pre", "y_before", "--subgroup", "council", "--plot", str(plot))
    )  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    result = json.loads(out.read_text())
    (estimate,) = result["estimates"]
    assert set(estimate) >= {
        "outcome",
        "method",
        "att",
        "se",
        "ci_low",
        "ci_high",
        "n_treated",
        "n_control_used",
    }
    assert estimate["method"] == "psm_bc" and estimate["ci_low"] < estimate["att"] < estimate["ci_high"]
    assert {b["covariate"] for b in result["balance"]} == {"x", "council=LA02"}
    assert abs(next(b for b in result["balance"] if b["covariate"] == "x")["smd_after"]) < 0.1
    assert result["placebo"] and result["subgroups"]["column"] == "council"
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Effect on the treated" in printed and "Balance" in printed


def test_same_seed_same_answer(tmp_path: Path) -> None:
    data = write_study(tmp_path / "study.csv")
    runs = []
    for name in ("a.json", "b.json"):
        assert main(evaluate_args(data, tmp_path / name, "--cluster", "family", "--bootstrap", "20")) == 0
        runs.append(json.loads((tmp_path / name).read_text())["estimates"][0]["se"])
    assert runs[0] == runs[1]


def test_parquet_input_is_read_too(tmp_path: Path) -> None:
    csv_path = write_study(tmp_path / "study.csv")
    parquet_path = tmp_path / "study.parquet"
    import pyarrow.parquet as pq

    pq.write_table(pacsv.read_csv(csv_path), parquet_path)
    assert main(evaluate_args(parquet_path, tmp_path / "r.json", "--se", "ai", "--method", "ipw")) == 0


@pytest.mark.parametrize(
    ("change", "extra", "code", "message"),
    [
        ("none", ["--outcome", "missing_col"], 3, "missing required column"),
        ("nonbinary", [], 3, "not binary"),
        ("text_outcome", [], 3, "not numeric"),
        ("separated", [], 8, "no overlap"),
        ("few_treated", [], 8, "too few treated"),
        ("none", ["--method", "magic"], 10, "unknown method"),
    ],
)
def test_bad_input_gets_a_clear_error_and_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str, extra: list[str], code: int, message: str
) -> None:
    data = write_study(tmp_path / "study.csv")
    table = pacsv.read_csv(data)
    joined = np.asarray(table.column("joined"))
    if change == "nonbinary":
        table = table.set_column(1, "joined", pa.array(np.where(np.arange(len(joined)) == 4, 2, joined)))
    elif change == "text_outcome":
        table = table.set_column(4, "y", pa.array(["yes"] * len(joined)))
    elif change == "separated":
        table = table.set_column(2, "x", pa.array(joined * 100.0 + np.linspace(0, 1, len(joined))))
    elif change == "few_treated":
        table = table.set_column(1, "joined", pa.array((np.arange(len(joined)) < 5).astype(int)))
    pacsv.write_csv(table, data)
    out = tmp_path / "r.json"
    assert main(evaluate_args(data, out, "--se", "ai", *extra)) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()
