"""DuckDB and Spark make the same decisions with the same model (Splink's Spark backend, local mode)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from famlink.linkage.api import link_tables
from famlink.linkage.options import LinkOptions

pytest.importorskip("pyspark")


@pytest.mark.spark
def test_duckdb_and_spark_accept_the_same_links(small_world: Path, tmp_path: Path) -> None:
    council = pq.read_table(small_world / "councils" / "LA01" / "case_list.parquet")
    dfe = pq.read_table(small_world / "departments" / "dfe" / "people.parquet")
    on_duckdb = link_tables(council, dfe, LinkOptions(engine="duckdb"))
    model = tmp_path / "model.json"
    model.write_text(on_duckdb.model_json, encoding="utf-8")

    on_spark = link_tables(council, dfe, LinkOptions(engine="spark"), model_path=model)

    assert on_duckdb.links.num_rows > 100
    key = ["left_id", "right_id", "decided_by"]
    assert on_spark.links.select(key).to_pylist() == on_duckdb.links.select(key).to_pylist()
    spark_p = on_spark.links["match_probability"].to_pylist()
    duck_p = on_duckdb.links["match_probability"].to_pylist()
    assert spark_p == pytest.approx(duck_p, abs=1e-6)
