"""The disclosure-control rules famlink applies, as named constants and one validated settings object.

Why one frozen object rather than loose keyword arguments: the output-checking log records the rules
each output was checked against, and an output checker signs off against that record. A single object
that validates itself (and serialises to the log) makes it impossible to check one table with one
threshold and log another.

The defaults follow the trusted research environments famlink must stand beside (see
docs/reference/disclosure-control.md): ONS SRS / UK LLC threshold 10 with zeros disclosive, OpenSAFELY
rounding to base 5, ACRO's N-K (n=2, k=90%) and p% (p=10%) rules, and 10 residual degrees of freedom.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from famlink.errors import ConfigError

#: Smallest count of people (or contributors) a published cell may describe.
DEFAULT_THRESHOLD = 10
#: Zeros reveal that nobody in a group has a trait ("no child in this family is on a plan"), so by
#: default they are suppressed like any small count; structural zeros can be declared per table.
DEFAULT_ZEROS_ARE_DISCLOSIVE = True
#: Published counts are rounded to the nearest multiple of this base (half up).
DEFAULT_ROUNDING_BASE = 5
#: N-K dominance: a magnitude cell is sensitive when its N largest contributors make up more than K.
DEFAULT_DOMINANCE_N = 2
DEFAULT_DOMINANCE_K = 0.90
#: p% rule: sensitive when the second largest contributor could estimate the largest within p%.
DEFAULT_P_PERCENT = 0.10
#: Models need this many residual degrees of freedom before their coefficients may leave.
DEFAULT_MIN_RESIDUAL_DF = 10
#: A model's indicator (dummy) variable must cover at least this many units on each side; one unit
#: alone lets its coefficient reveal that unit's outcome.
DEFAULT_MIN_MODEL_SUBGROUP = 2


@dataclass(frozen=True)
class DisclosureRules:
    """The thresholds every check reads; `DisclosureRules()` gives the defaults above."""

    threshold: int = DEFAULT_THRESHOLD
    zeros_are_disclosive: bool = DEFAULT_ZEROS_ARE_DISCLOSIVE
    rounding_base: int = DEFAULT_ROUNDING_BASE
    dominance_n: int = DEFAULT_DOMINANCE_N
    dominance_k: float = DEFAULT_DOMINANCE_K
    p_percent: float = DEFAULT_P_PERCENT
    min_residual_df: int = DEFAULT_MIN_RESIDUAL_DF
    min_model_subgroup: int = DEFAULT_MIN_MODEL_SUBGROUP

    def __post_init__(self) -> None:
        _require(self.threshold >= 1, "threshold", "must be a whole number of at least 1")
        _require(self.rounding_base >= 1, "rounding_base", "must be at least 1 (1 means no rounding)")
        _require(self.dominance_n >= 1, "dominance_n", "must be at least 1")
        _require(0 < self.dominance_k < 1, "dominance_k", "must be a fraction between 0 and 1, e.g. 0.9")
        _require(0 < self.p_percent < 1, "p_percent", "must be a fraction between 0 and 1, e.g. 0.1")
        _require(self.min_residual_df >= 1, "min_residual_df", "must be at least 1")
        _require(self.min_model_subgroup >= 1, "min_model_subgroup", "must be at least 1")

    def as_dict(self) -> dict[str, Any]:
        """The rules as plain values, for the output-checking log."""
        return asdict(self)

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> DisclosureRules:
        """Build rules from a config mapping (e.g. a YAML section), refusing unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ConfigError(
                f"unknown disclosure setting(s): {', '.join(unknown)}",
                fix=f"use only: {', '.join(sorted(known))}",
            )
        return cls(**dict(settings))


def _require(condition: bool, name: str, message: str) -> None:
    if not condition:
        raise ConfigError(f"disclosure setting '{name}' {message}", where=f"disclosure rules: {name}")
