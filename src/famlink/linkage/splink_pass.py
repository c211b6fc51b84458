"""Train and run the Splink model on DuckDB (or Spark), returning scored pairs as a DuckDB table.

Training, in order, each step seeded or hash-sampled so a run repeats exactly:
1. u probabilities (chance agreement among non-matches) from one seeded random sample of pairs
   scored in a single pass (u_sampling.py), sized by `LinkOptions.u_sample_pairs`;
2. the prior (how likely two random records are to match) from deterministic rules;
3. m probabilities by expectation maximisation in two sessions, one blocked on date of birth
   (teaching the name and postcode levels), one on names (teaching date of birth);
4. no partial-agreement level left weighing more against a match than total disagreement
   (weight_floor.py).
A saved model skips all three.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from splink import Linker, SettingsCreator

from famlink.errors import ConfigError
from famlink.linkage import model
from famlink.linkage.backend import Backend, DuckDBBackend
from famlink.linkage.options import LinkOptions
from famlink.linkage.u_sampling import estimate_u
from famlink.linkage.weight_floor import floor_partial_agreement

LEFT_NAME = "df_left"
RIGHT_NAME = "df_right"

logging.getLogger("splink").setLevel(logging.WARNING)


@dataclass
class TrainedModel:
    """Splink settings with trained parameters, as the JSON dict Splink saves."""

    settings: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(self.settings, indent=2, sort_keys=True)

    @classmethod
    def load(cls, path: Path) -> TrainedModel:
        """Read a model saved by an earlier run; refuse anything that is not one."""
        try:
            settings = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(
                "the model file is not a readable JSON model", where=str(path), fix="train one with a run"
            ) from exc
        if not isinstance(settings, dict) or "comparisons" not in settings:
            raise ConfigError("the file is not a famlink/Splink model", where=str(path))
        if level_labels(settings) != level_labels(settings_as_dict("link_only")):
            raise ConfigError(
                "the model was trained with other comparisons than this famlink's (an earlier version?)",
                where=str(path),
                fix="retrain: run once without --model and reuse the model it saves",
            )
        return cls(settings)


def level_labels(settings: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Each comparison's name and its levels' labels, top first: what the decision rules that read
    Splink's gammas (engine.HOUSEHOLD_GUARD) rely on. A model saved by a famlink with other levels
    would have them mean something else."""
    return [
        (
            str(comparison.get("output_column_name")),
            [str(level.get("label_for_charts")) for level in comparison.get("comparison_levels", [])],
        )
        for comparison in settings.get("comparisons", [])
        if isinstance(comparison, dict)
    ]


def _linker(backend: Backend, tables: list[str], settings: dict[str, Any] | TrainedModel) -> Linker:
    """A linker over the DuckDB `tables`, on a fresh Splink API of `backend`."""
    db_api = backend.new_api()
    names = [LEFT_NAME, RIGHT_NAME][: len(tables)]
    inputs = backend.inputs(tables)
    registered = [
        db_api.register(table, dataset_display_name=name) for table, name in zip(inputs, names, strict=True)
    ]
    chosen = settings.settings if isinstance(settings, TrainedModel) else settings
    return Linker(registered if len(registered) > 1 else registered[0], chosen, log_level=logging.ERROR)


def settings_as_dict(link_type: str, dialect: str = "duckdb") -> dict[str, Any]:
    """famlink's untrained settings as the plain dict Splink saves, in `dialect`'s SQL."""
    creator = SettingsCreator.from_path_or_dict(model.settings_dict(link_type))
    settings: dict[str, Any] = creator.get_settings(dialect).as_dict()
    return settings


TRAINING_CAPS = (50_000, 200_000)
"""At most this many records per side train the model. m and u describe the population and the prior
is a rate per pair, so a seeded random sample estimates them all; past this size training time buys
nothing (measured at 100k x 1M)."""


def _training_samples(con: duckdb.DuckDBPyConnection, tables: list[str], seed: int) -> list[str]:
    """Seeded random samples of `tables`, capped by TRAINING_CAPS (the tables themselves if smaller)."""
    samples = []
    for side, (table, cap) in enumerate(zip(tables, TRAINING_CAPS, strict=False)):
        name = f"_train_{side}"
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {table}
                ORDER BY hash(record_id || '~{seed}'), record_id LIMIT {cap}"""
        )
        samples.append(name)
    return samples


def train(con: duckdb.DuckDBPyConnection, tables: list[str], options: LinkOptions) -> TrainedModel:
    """Train a fresh model on DuckDB `tables` (two for linking, one for deduplication).

    Training always runs on DuckDB, whatever the engine: it works on samples and blocked subsets
    that fit one machine, and training once keeps the engines' models identical.
    """
    link_type = "link_only" if len(tables) == 2 else "dedupe_only"
    settings = settings_as_dict(link_type)
    settings["linker_uid"] = f"famlink{options.seed}"  # Splink draws a random one otherwise
    tables = _training_samples(con, tables, options.seed)
    settings = estimate_u(con, tables, settings, options.u_sample_pairs, options.seed)
    linker = _linker(DuckDBBackend(con), tables, settings)
    linker.training.estimate_probability_two_random_records_match(
        model.deterministic_rules(), recall=model.DETERMINISTIC_RECALL
    )
    if _too_few_matches_for_em(linker, con, tables):
        return TrainedModel(linker.misc.save_model_to_json())
    threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
    con.execute("SET threads = 1")  # see _em_session: parallel float sums are not repeatable
    try:
        for rule in model.training_blocking_rules():
            _em_session(linker, rule)
    finally:
        con.execute(f"SET threads = {int(threads)}")
    trained = linker.misc.save_model_to_json()
    floor_partial_agreement(trained)
    return TrainedModel(trained)


def _em_session(linker: Linker, rule: Any) -> None:
    """One EM session; a session whose m probabilities underflow float64 is skipped, not fatal.

    It runs on one DuckDB thread: EM sums match probabilities over many pairs, and DuckDB's parallel
    sums add them in whatever order the threads finish, so the last digits of m (and the saved model)
    differed from run to run. One thread makes a seeded run repeat exactly; EM works on blocked
    training samples, so it costs little.

    On small or degenerate inputs (a few dozen records, or every person present twice with identical
    identifiers) EM can drive an m probability below 1e-300 and Splink refuses to store it. The
    session's estimates are then meaningless, so the model keeps what the earlier sessions (or
    Splink's defaults) gave for those comparisons; the other sessions still train them.
    """
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    except ValueError as exc:
        if "below the minimum allowed value" not in str(exc):
            raise


MIN_EXPECTED_MATCHES_FOR_EM = 30


def _too_few_matches_for_em(linker: Linker, con: duckdb.DuckDBPyConnection, tables: list[str]) -> bool:
    """True (and the prior floored above zero) when the data hold too few likely matches for EM.

    That happens for real inputs, e.g. the agent deduplicating councils whose families rarely move:
    with a handful of matches among millions of pairs, EM drives m probabilities below what float64
    can hold and Splink refuses them; with none, the prior is 0 and EM fails on log(0). There is
    nothing for EM to learn from, so the model keeps Splink's default m probabilities and the u
    probabilities estimated from random pairs. The prior stays as estimated, or becomes one pair in
    all possible pairs if it was 0 (Splink 5 has no public setter, hence the private attribute).
    """
    settings = linker._settings_obj
    sizes = [int(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]) for t in tables]
    pairs = sizes[0] * sizes[1] if len(sizes) == 2 else sizes[0] * (sizes[0] - 1) // 2
    prior = float(settings._probability_two_random_records_match)
    if prior <= 0:
        settings._probability_two_random_records_match = 1.0 / max(pairs, 1)
    return prior * pairs < MIN_EXPECTED_MATCHES_FOR_EM


def in_dialect(trained: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The trained model with its SQL rebuilt for `dialect` and its parameters carried over.

    Splink writes level conditions in the dialect the model was trained on (DuckDB here); Spark
    names some functions differently, so the comparisons are regenerated and m, u and the prior copied.
    """
    if dialect == trained.get("sql_dialect", "duckdb"):
        return trained
    fresh = settings_as_dict(trained["link_type"], dialect)
    mismatch = ConfigError(
        "the model's comparisons differ from this famlink version's", fix="retrain (run without --model)"
    )
    if len(fresh["comparisons"]) != len(trained["comparisons"]):
        raise mismatch
    for new, old in zip(fresh["comparisons"], trained["comparisons"], strict=True):
        if len(new["comparison_levels"]) != len(old["comparison_levels"]):
            raise mismatch
        for new_level, old_level in zip(new["comparison_levels"], old["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if key in old_level:
                    new_level[key] = old_level[key]
    fresh["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    fresh["linker_uid"] = trained.get("linker_uid")
    return fresh


def predict(
    backend: Backend, tables: list[str], trained: TrainedModel, review_low: float, target: str
) -> None:
    """Score blocked pairs between `tables` at or above `review_low` into DuckDB table `target`."""
    settings = in_dialect(trained.settings, backend.dialect)
    linker = _linker(backend, tables, settings)
    scored = linker.inference.predict(threshold_match_probability=review_low, warning_mode="never")
    backend.collect(scored, target)
