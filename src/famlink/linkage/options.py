"""The settings of one linkage run, as a plain validated object that round-trips to JSON.

Why a small dataclass rather than keyword arguments: the department role stores the options it used
beside every monthly match, the agent passes them across processes, and the CLI builds them from
flags. One object, validated once, serialised the same way everywhere, means a run can be repeated
exactly (the seed is part of it).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from famlink.errors import ConfigError

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[str, ...] = ("duckdb", "spark")

DEFAULT_THRESHOLD = 0.90
DEFAULT_REVIEW_LOW = 0.50


@dataclass(frozen=True)
class LinkOptions:
    """How to decide, assign and compute.

    threshold: a pair whose match probability is at least this is accepted.
    review_low, review_high: pairs with review_low <= probability < review_high go to clerical review
        (review_high defaults to the threshold, so the three decisions tile the probability scale).
    many: allow a person to hold several records on one side (no one-to-one assignment).
    engine: 'duckdb' (default, one machine) or 'spark' (Splink's Spark backend).
    seed: seeds every random sample taken while training, so runs repeat exactly.
    column_map: renames applied to input columns before anything else (SRC -> person-schema DEST).
    u_sample_pairs: random record pairs drawn to estimate how often non-matches agree by chance.
    impossible_dates: 'refuse' (default) stops on a date of birth that cannot be a date, naming its
        row; 'ignore' keeps it as recorded digits (for corpora such as FEBRL that corrupt dates).
    household_guard: send same-household pairs whose first names or dates of birth clearly differ to
        review instead of the links (siblings, twins, juniors). Only for data with no households
        (FEBRL) is switching it off right: there it also holds back true pairs with a replaced name.
    """

    threshold: float = DEFAULT_THRESHOLD
    review_low: float = DEFAULT_REVIEW_LOW
    review_high: float | None = None
    many: bool = False
    engine: Engine = "duckdb"
    seed: int = 42
    column_map: dict[str, str] = field(default_factory=dict)
    u_sample_pairs: int = 1_000_000
    impossible_dates: Literal["refuse", "ignore"] = "refuse"
    household_guard: bool = True
    mutual_best: bool = True

    def __post_init__(self) -> None:
        self._check_probability("threshold", self.threshold, allow_one=True)
        self._check_probability("review_low", self.review_low, allow_one=False)
        high = self.effective_review_high
        self._check_probability("review_high", high, allow_one=True)
        if not self.review_low < high <= self.threshold:
            raise ConfigError(
                "the review band must sit below the match threshold (LO < HI <= threshold)",
                where="--review-band / --threshold",
                fix=f"e.g. --threshold {self.threshold} --review-band {min(self.review_low, 0.5)}:"
                f"{self.threshold}",
            )
        if self.engine not in ENGINES:
            raise ConfigError(f"unknown engine '{self.engine}'", where="--engine", fix="use duckdb or spark")
        if self.impossible_dates not in ("refuse", "ignore"):
            raise ConfigError("impossible_dates must be 'refuse' or 'ignore'", where="impossible_dates")
        if self.u_sample_pairs < 10_000:
            raise ConfigError("u_sample_pairs must be at least 10,000", where="u_sample_pairs")

    @staticmethod
    def _check_probability(name: str, value: float, *, allow_one: bool) -> None:
        upper_ok = value <= 1.0 if allow_one else value < 1.0
        if not (value > 0.0 and upper_ok):
            raise ConfigError(f"{name} must be a probability between 0 and 1", where=name)

    @property
    def effective_review_high(self) -> float:
        """The top of the review band: the threshold unless set lower."""
        return self.threshold if self.review_high is None else self.review_high

    def to_json(self) -> str:
        """Serialise to JSON (sorted keys, so equal options give equal text)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LinkOptions:
        """Rebuild options from `to_json` output, validating them again."""
        try:
            data: dict[str, Any] = json.loads(text)
            return cls(**data)
        except (json.JSONDecodeError, TypeError) as exc:
            raise ConfigError("the linkage options are not valid JSON of the expected shape") from exc


def parse_review_band(text: str) -> tuple[float, float]:
    """Parse 'LO:HI' (e.g. '0.5:0.95') as two probabilities."""
    parts = text.split(":")
    try:
        low, high = (float(p) for p in parts)
    except ValueError:
        raise ConfigError(
            "the review band must look like LO:HI, two probabilities",
            where="--review-band",
            fix="e.g. --review-band 0.5:0.95",
        ) from None
    return low, high


def parse_column_map(text: str | None) -> dict[str, str]:
    """Parse 'SRC=DEST,SRC2=DEST2' into a dict, refusing malformed or repeated entries."""
    if not text:
        return {}
    mapping: dict[str, str] = {}
    for item in text.split(","):
        source, sep, dest = item.partition("=")
        source, dest = source.strip(), dest.strip()
        if not sep or not source or not dest:
            raise ConfigError(
                f"'--map' entries must look like SRC=DEST; got an entry without '=' or a name: {item!r}",
                where="--map",
                fix="e.g. --map forename=first_name,dob=date_of_birth",
            )
        if source in mapping:
            raise ConfigError(f"'--map' names the source column {source} twice", where="--map")
        mapping[source] = dest
    return mapping
