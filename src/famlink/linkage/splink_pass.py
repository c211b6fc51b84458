"""Train and run the Splink model on DuckDB (or Spark), returning scored pairs as a DuckDB table.

Training, in order, each step seeded or hash-sampled so a run repeats exactly:
1. the prior (how likely two random records are to match) from deterministic rules;
2. u probabilities (chance agreement among non-matches) from a seeded random sample of pairs,
   sized by `LinkOptions.u_sample_pairs` rather than Splink's slow default;
3. m probabilities by expectation maximisation in two sessions, one blocked on date of birth
   (teaching the name and postcode levels), one on names (teaching date of birth).
A saved model skips all three.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from splink import Linker

from famlink.errors import ConfigError
from famlink.linkage import model
from famlink.linkage.backend import Backend
from famlink.linkage.options import LinkOptions

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
        return cls(settings)


def _linker(backend: Backend, tables: list[str], settings: dict[str, Any] | TrainedModel) -> Linker:
    """A linker over the DuckDB `tables`, on a fresh Splink API of `backend`."""
    db_api = backend.new_api()
    names = [LEFT_NAME, RIGHT_NAME][: len(tables)]
    inputs = backend.inputs(tables)
    registered = [
        db_api.register(table, dataset_display_name=name) for table, name in zip(inputs, names, strict=True)
    ]
    chosen = settings.settings if isinstance(settings, TrainedModel) else settings
    return Linker(registered if len(registered) > 1 else registered[0], chosen, log_level=logging.WARNING)


def train(backend: Backend, tables: list[str], options: LinkOptions) -> TrainedModel:
    """Train a fresh model on `tables` (two for linking, one for deduplication)."""
    link_type = "link_only" if len(tables) == 2 else "dedupe_only"
    linker = _linker(backend, tables, model.settings_dict(link_type))
    linker.training.estimate_probability_two_random_records_match(
        model.deterministic_rules(), recall=model.DETERMINISTIC_RECALL
    )
    linker.training.estimate_u_using_random_sampling(
        max_pairs=float(options.u_sample_pairs), seed=options.seed, num_chunks=1
    )
    for rule in model.training_blocking_rules():
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    return TrainedModel(linker.misc.save_model_to_json())


def predict(
    backend: Backend, tables: list[str], trained: TrainedModel, review_low: float, target: str
) -> None:
    """Score blocked pairs between `tables` at or above `review_low` into DuckDB table `target`."""
    linker = _linker(backend, tables, trained)
    scored = linker.inference.predict(threshold_match_probability=review_low, warning_mode="never")
    backend.collect(scored, target)
