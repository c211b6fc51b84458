"""`famlink risk` end to end on the small synthetic world, as a council analyst would run it."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from famlink.cli.main import main
from famlink.governance.audit import AuditLog


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def trained(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Train once on council LA01 with a deliberately strict calibration limit (so a stop rule fires)."""
    base = tmp_path_factory.mktemp("risk_e2e")
    settings = base / "settings.json"
    settings.write_text(json.dumps({"review_capacity_per_month": 5, "step_months": 6, "bootstrap_samples": 20,
                                    "calibration_gap_limit": 0.0001, "min_group_size": 30}))  # fmt: skip
    council, store = small_world / "councils" / "LA01", base / "store"
    args = [
        "--council",
        str(council),
        "--store",
        str(store),
        "--operator",
        "analyst",
        "--purpose",
        "validate",
    ]
    assert main(["risk", "train", *args, "--settings", str(settings)]) == 0
    return council, store


def test_train_report_score_review_as_a_council_would(
    trained: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    council, store = trained
    monkeypatch.setenv("FAMLINK_OPERATOR", "practitioner-1")
    monkeypatch.setenv("FAMLINK_PURPOSE", "early help review")
    evaluation = json.loads((store / "risk" / "evaluation.json").read_text())
    assert set(evaluation["metrics"]) == {"logistic", "boosted", "rule"}
    assert max(evaluation["run"]["train_reference_dates"]) < min(evaluation["run"]["test_reference_dates"])

    assert main(["risk", "report", "--store", str(store)]) == 0
    html = (store / "risk" / "report.html").read_text()
    assert html.count("data:image/png;base64,") >= 10
    text_only = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    assert "http://" not in text_only and "https://" not in text_only  # opens offline
    assert evaluation["verdict"]["sentence"] in html.replace("&#39;", "'")
    assert "[STOP] calibration gap" in capsys.readouterr().out
    atrs = json.loads((store / "risk" / "atrs-record.json").read_text())
    assert atrs["tier_2"]["data"]["research_data_used"] is False
    assert "## Stop rules" in (store / "risk" / "model-card.md").read_text()

    before = _digest(council / "local")
    assert main(["risk", "score", "--council", str(council), "--store", str(store)]) == 10  # stop rule
    assert main(["risk", "score", "--council", str(council), "--store", str(store),
                 "--acknowledge-stop", "end-to-end test of the queue"]) == 0  # fmt: skip
    assert _digest(council / "local") == before  # scoring changed no council record
    capsys.readouterr()
    assert main(["risk", "review", "--store", str(store)]) == 0
    listing = capsys.readouterr().out
    assert "Q000001" in listing and "Q000005" in listing and "Q000006" not in listing

    decide = ["risk", "review", "--store", str(store), "--item", "Q000001"]
    assert main([*decide, "--decision", "disagree", "--reason", "school already supporting"]) == 0
    assert main([*decide, "--decision", "no_action", "--reason", "second thoughts"]) == 7  # not overwritten
    assert main([*decide, "--decision", "refer", "--reason", "x"]) == 10

    log = AuditLog(store / "audit.jsonl")
    assert log.verify().ok
    actions = [e.action for e in log.entries()]
    assert actions[:3] == ["risk.train", "risk.report", "risk.score.refused"]
    assert "risk.review.decide" in actions
    refs = pq.read_table(council / "local" / "people.parquet", columns=["record_id"]).column(0).to_pylist()
    text = (store / "audit.jsonl").read_text()
    assert not [r for r in refs if f'"{r}"' in text]  # no council person ref in the audit log


def test_commands_refuse_to_run_unaudited(
    trained: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, store = trained
    monkeypatch.delenv("FAMLINK_OPERATOR", raising=False)
    monkeypatch.delenv("FAMLINK_PURPOSE", raising=False)
    assert main(["risk", "review", "--store", str(store)]) == 10


def test_a_research_store_is_refused(small_world: Path, tmp_path: Path) -> None:
    research = tmp_path / "research-store"
    research.mkdir()
    (research / "store.json").write_text(json.dumps({"role": "research"}))
    local = small_world / "councils" / "LA01" / "local"
    (research / "local").mkdir()
    for table in local.iterdir():
        (research / "local" / table.name).write_bytes(table.read_bytes())
    args = ["--operator", "a", "--purpose", "b", "--store", str(tmp_path / "s")]
    assert main(["risk", "train", "--council", str(research), *args]) == 7
    assert not (tmp_path / "s" / "risk" / "evaluation.json").exists()
