"""The study with department matching on Spark (local) gives the same matches as on DuckDB."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from famlink.study.run import StudySettings, run_study
from famlink.synth.config import SynthConfig
from famlink.synth.world import generate_world

pytestmark = pytest.mark.spark


def test_spark_and_duckdb_department_matching_agree(tmp_path: Path) -> None:
    world = tmp_path / "world"
    generate_world(SynthConfig(families=40, councils=2, seed=5).validate(), world)
    runs = {}
    for engine in ("duckdb", "spark"):
        settings = StudySettings(operator="ci", as_of=date(2026, 6, 1), engine=engine)  # type: ignore[arg-type]
        runs[engine] = run_study(world, tmp_path / engine, settings)
    duck, spark = runs["duckdb"], runs["spark"]
    assert set(spark.departments) == {"dwp", "moj", "dfe"}
    for dept in ("dwp", "moj", "dfe"):
        assert spark.departments[dept]["requests"] == duck.departments[dept]["requests"] > 0
        assert spark.departments[dept]["matched"] == duck.departments[dept]["matched"]
    assert spark.research["cohort"] == duck.research["cohort"]
    assert spark.outputs is not None and spark.outputs.report_html.is_file()
