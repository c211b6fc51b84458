"""produce_study_outputs at the edges: a comparison group that is absent, and bad metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from famlink.errors import ConfigError
from famlink.report import StudyReportInputs
from famlink.roles.research.outputs import produce_study_outputs
from tests.integration.test_research_outputs import build_store

OBSERVED_UNTIL = dt.date(2020, 12, 31)


def test_a_missing_comparison_group_is_reported_and_the_report_still_renders(tmp_path: Path) -> None:
    con = build_store(tmp_path / "research.duckdb", seed=3, families={"programme": 90, "later": 60})
    outputs = produce_study_outputs(
        con, tmp_path / "out", metadata={}, bootstrap=20, observed_until=OBSERVED_UNTIL
    )
    inputs = StudyReportInputs.load(outputs.report_inputs_json)
    assert [g.key for g in inputs.cohort.groups] == ["programme", "later"]
    assert {e.comparison_group for e in inputs.effects} == {"later"}
    assert any("No comparison with families assessed but never joined" in t for t in inputs.limitations)
    assert "never" not in outputs.not_estimable
    assert outputs.report_html.is_file()


def test_bad_metadata_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    con = build_store(tmp_path / "research.duckdb", seed=3, families={"programme": 30, "later": 20})
    with pytest.raises(ConfigError) as raised:
        produce_study_outputs(
            con,
            tmp_path / "out",
            metadata={"run_date": "not a date"},
            observed_until=OBSERVED_UNTIL,
        )
    assert "run_date" in str(raised.value)
    assert not (tmp_path / "out").exists()
