"""Where Splink runs: DuckDB (default, one machine) or Spark (local mode here, a cluster by config).

famlink keeps its own work (standardising, the exact pass, assignment, the report) in one DuckDB
connection whatever the backend; only Splink's training and scoring move to Spark. That keeps the two
engines' decisions identical apart from Splink's arithmetic, which is what the agreement test checks.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Protocol

import duckdb

from famlink.errors import ConfigError

SCORED_COLUMNS = (
    "record_id_l",
    "record_id_r",
    "source_dataset_l",
    "source_dataset_r",
    "match_weight",
    "match_probability",
    "gamma_first_name",
    "gamma_surname",
    "gamma_date_of_birth",
    "gamma_sex",
    "gamma_postcode",
    "gamma_address",
    "gamma_national_id",
)


def _select_scored(present: set[str]) -> str:
    """The scored columns, with NULL for source_dataset_* (absent when deduplicating one table)."""
    return ", ".join(c if c in present else f"NULL AS {c}" for c in SCORED_COLUMNS)


class Backend(Protocol):
    """What the engine needs from a Splink backend."""

    dialect: str

    def new_api(self) -> Any: ...

    def inputs(self, tables: list[str]) -> list[Any]: ...

    def collect(self, scored: Any, target: str) -> None: ...


class DuckDBBackend:
    """Splink on famlink's own DuckDB connection: inputs and outputs never leave the database."""

    dialect = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def new_api(self) -> Any:
        from splink import DuckDBAPI

        return DuckDBAPI(connection=self.con)

    def inputs(self, tables: list[str]) -> list[Any]:
        return list(tables)

    def collect(self, scored: Any, target: str) -> None:
        present = {c[0] for c in self.con.execute(f"DESCRIBE {scored.physical_name}").fetchall()}
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {target} AS SELECT {_select_scored(present)} "
            f"FROM {scored.physical_name}"
        )
        scored.drop_table_from_database_and_remove_from_cache()


class SparkBackend:
    """Splink's Spark backend; tables travel to Spark as Arrow and scored pairs come back the same way."""

    dialect = "spark"

    def __init__(self, con: duckdb.DuckDBPyConnection, session: Any | None = None) -> None:
        self.con = con
        self.spark = session or local_spark_session()

    def new_api(self) -> Any:
        from splink.backends.spark import SparkAPI

        self._drop_earlier_inputs()
        return SparkAPI(spark_session=self.spark, break_lineage_method="parquet")

    def _drop_earlier_inputs(self) -> None:
        """Splink registers its inputs as temp views in the shared session; a second linkage in the
        same process (the study matches three departments) would find them and refuse to start."""
        for view in self.spark.catalog.listTables():
            if view.isTemporary and (view.name.startswith("df_") or view.name.startswith("__splink")):
                self.spark.catalog.dropTempView(view.name)

    def inputs(self, tables: list[str]) -> list[Any]:
        frames = []
        for table in tables:
            arrow = self.con.sql(f"SELECT * FROM {table}").to_arrow_table()
            frames.append(self.spark.createDataFrame(arrow))
        return frames

    def collect(self, scored: Any, target: str) -> None:
        frame = scored.as_spark_dataframe()
        present = set(frame.columns)
        self.con.register(
            "_spark_scored", frame.select(*[c for c in SCORED_COLUMNS if c in present]).toArrow()
        )
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {target} AS SELECT {_select_scored(present)} FROM _spark_scored"
        )
        self.con.unregister("_spark_scored")


_SPARK: Any | None = None


def local_spark_session() -> Any:
    """A local[2] Spark session with Splink's similarity functions and a checkpoint directory.

    Reused within a process: starting the JVM takes seconds and two sessions cannot coexist.
    """
    global _SPARK
    if _SPARK is not None:
        return _SPARK
    try:
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError as exc:
        raise ConfigError(
            "--engine spark needs pyspark, which is not installed",
            fix="install famlink with the spark extra (make setup installs it)",
        ) from exc
    checkpoints = tempfile.mkdtemp(prefix="famlink-spark-")
    session = (
        SparkSession.builder.master(os.environ.get("FAMLINK_SPARK_MASTER", "local[2]"))
        .appName("famlink-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.driver.memory", os.environ.get("FAMLINK_SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(checkpoints)
    _SPARK = session
    return session


def make_backend(engine: str, con: duckdb.DuckDBPyConnection) -> Backend:
    """The backend named by `LinkOptions.engine`."""
    if engine == "spark":
        return SparkBackend(con)
    return DuckDBBackend(con)
