"""The public facade: `link_tables` and `dedupe_table`.

Everything else in `famlink.linkage` is internal. Callers hand in Arrow tables in the person schema
(or mapped onto it with `LinkOptions.column_map`) and get Arrow tables back, plus the trained model
as JSON and a quality dict; nothing here reads or writes files except an optional saved model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from famlink.linkage import engine, quality
from famlink.linkage.assign import connected_components
from famlink.linkage.backend import make_backend
from famlink.linkage.connection import linkage_connection
from famlink.linkage.exact import run_exact_pass
from famlink.linkage.inputs import check_map_sources, check_people
from famlink.linkage.options import LinkOptions
from famlink.linkage.prepare import standardise_side
from famlink.linkage.splink_pass import TrainedModel

Step = Callable[[str], None]

LINK_COLUMNS = ("left_id", "right_id", "match_probability", "match_weight", "decided_by")
REVIEW_COLUMNS = ("left_id", "right_id", "match_probability", "match_weight", "reason")


@dataclass
class LinkResult:
    """Accepted links, pairs for clerical review, the model used, and linkage-quality figures."""

    links: pa.Table
    review: pa.Table
    model_json: str
    quality: dict[str, Any] = field(default_factory=dict)


@dataclass
class DedupeResult:
    """One cluster id per record, pairs for review, the model used, and quality figures."""

    clusters: pa.Table
    review: pa.Table
    model_json: str
    quality: dict[str, Any] = field(default_factory=dict)


def _quiet(_: str) -> None:
    """Default progress callback: say nothing."""


def _load_model(model_path: Path | None) -> TrainedModel | None:
    return TrainedModel.load(model_path) if model_path is not None else None


def link_tables(
    left: pa.Table,
    right: pa.Table,
    options: LinkOptions,
    model_path: Path | None = None,
    *,
    left_source: str = "left",
    right_source: str = "right",
    truth: pa.Table | None = None,
    on_step: Step = _quiet,
) -> LinkResult:
    """Link two people tables; see `famlink.linkage.engine` for how each pair is decided.

    `left_source`/`right_source` name the inputs in error messages (a file path, or a label).
    `truth` (left_id, right_id) adds precision, recall and F1 to the quality figures.
    """
    trained = _load_model(model_path)
    on_step("checking inputs")
    check_map_sources(options.column_map, {left_source: left, right_source: right})
    left = check_people(left, left_source, options.column_map, partial_map=True)
    right = check_people(right, right_source, options.column_map, partial_map=True)
    with linkage_connection() as con:
        on_step("standardising identifiers")
        standardise_side(
            con, left, "people_l", left_source, refuse_bad_dates=options.impossible_dates == "refuse"
        )
        standardise_side(
            con, right, "people_r", right_source, refuse_bad_dates=options.impossible_dates == "refuse"
        )
        on_step("exact pass on NHS numbers, NINOs and UPNs")
        run_exact_pass(con, "people_l", "people_r", dedupe=False)
        engine.remaining_records(con, "people_l", "left", "rest_l", exclude=True)
        engine.remaining_records(con, "people_r", "right", "rest_r", exclude=not options.many)
        backend = make_backend(options.engine, con)
        on_step("using the saved model" if trained else "training the Splink model")
        trained = engine.train_or_load(con, ["people_l_model", "people_r_model"], options, trained)
        on_step("scoring candidate pairs")
        engine.score(
            backend,
            con,
            ["rest_l", "rest_r"],
            trained,
            options,
            dedupe=False,
            people=("people_l", "people_r"),
        )
        on_step("deciding and assigning links")
        engine.decide(con, options)
        engine.assign(con, options)
        links = _fetch(con, "links", LINK_COLUMNS)
        review = _fetch(con, "review", REVIEW_COLUMNS)
        report = quality.link_quality(con, options, truth)
        return LinkResult(links, review, trained.to_json(), report)


def dedupe_table(
    table: pa.Table,
    options: LinkOptions,
    model_path: Path | None = None,
    *,
    source: str = "input",
    truth: pa.Table | None = None,
    on_step: Step = _quiet,
) -> DedupeResult:
    """Find records of the same person within one table; every record gets a cluster id.

    Pairs are decided as in `link_tables`; clusters are the connected components of accepted pairs
    (a person may hold several records, so there is no one-to-one step). `truth` (left_id, right_id)
    lists true duplicate pairs.
    """
    trained = _load_model(model_path)
    on_step("checking input")
    table = check_people(table, source, options.column_map)
    with linkage_connection() as con:
        on_step("standardising identifiers")
        standardise_side(
            con, table, "people_l", source, refuse_bad_dates=options.impossible_dates == "refuse"
        )
        con.execute("CREATE OR REPLACE TEMP VIEW people_r AS SELECT * FROM people_l")
        on_step("exact pass on NHS numbers, NINOs and UPNs")
        run_exact_pass(con, "people_l", "people_l", dedupe=True)
        backend = make_backend(options.engine, con)
        on_step("using the saved model" if trained else "training the Splink model")
        trained = engine.train_or_load(con, ["people_l_model"], options, trained)
        on_step("scoring candidate pairs")
        engine.score(
            backend, con, ["people_l_model"], trained, options, dedupe=True, people=("people_l", "people_l")
        )
        on_step("deciding and clustering")
        many = LinkOptions(**{**options.__dict__, "many": True})
        engine.decide(con, many)
        engine.assign(con, many)
        connected_components(con, "people_l", "links", "clusters")
        clusters = _fetch(con, "clusters", ("record_id", "cluster_id"))
        review = _fetch(con, "review", REVIEW_COLUMNS)
        report = quality.dedupe_quality(con, options, truth)
        return DedupeResult(clusters, review, trained.to_json(), report)


def _fetch(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]) -> pa.Table:
    result: pa.Table = con.sql(
        f"SELECT {', '.join(columns)} FROM {table} ORDER BY {columns[0]}, {columns[1]}"
    ).to_arrow_table()
    return result
