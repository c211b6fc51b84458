"""The risk model's settings: one plain, validated object that round-trips to JSON.

Every number a council might argue about (how many cases it can review a month, how far ahead the
model looks, when it must be switched off) lives here with a default and a reason, so the model card
can print exactly what the run used and a reviewer can change one thing at a time.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from famlink.errors import ConfigError


@dataclass(frozen=True)
class RiskSettings:
    """What the risk model run uses. Defaults are deliberately conservative."""

    review_capacity_per_month: int = 25
    """How many flagged children practitioners can review each month: the model flags no more."""
    horizon_months: int = 12
    """The target: a child protection plan or becoming looked after within this many months."""
    step_months: int = 3
    """Spacing between reference dates when building the training and test examples."""
    lookback_months: int = 24
    """History needed before the first reference date (features look back this far)."""
    test_months: int = 12
    """The later period held out for testing: every month of the last `test_months` usable months."""
    min_age: int = 0
    max_age: int = 17
    calibration_gap_limit: float = 0.02
    """Stop rule: largest gap between groups (with at least `min_group_size` children) in mean
    predicted risk minus observed rate, in absolute terms: two percentage points by default."""
    disagreement_limit: float = 0.5
    """Stop rule: share of reviewed flags practitioners disagree with."""
    min_decisions_for_disagreement_rule: int = 20
    min_group_size: int = 30
    """Groups with fewer test child-months are reported but do not fire the calibration stop rule."""
    bootstrap_samples: int = 100
    deployed_model: str = "logistic"
    """Which model scores children: 'logistic' (transparent, explains each flag) or 'boosted'."""
    seed: int = 20150401

    def __post_init__(self) -> None:
        if self.review_capacity_per_month < 1:
            raise ConfigError("review_capacity_per_month must be at least 1")
        if not 1 <= self.horizon_months <= 36:
            raise ConfigError("horizon_months must be between 1 and 36")
        if self.step_months < 1 or self.test_months < self.step_months:
            raise ConfigError("step_months must be >= 1 and test_months must cover at least one step")
        if not 0 <= self.min_age <= self.max_age <= 17:
            raise ConfigError("ages must satisfy 0 <= min_age <= max_age <= 17 (the model is for children)")
        if not 0 < self.calibration_gap_limit < 1 or not 0 < self.disagreement_limit < 1:
            raise ConfigError("stop-rule limits are proportions between 0 and 1")
        if self.deployed_model not in ("logistic", "boosted"):
            raise ConfigError("deployed_model must be 'logistic' or 'boosted'")
        if self.bootstrap_samples < 10:
            raise ConfigError("bootstrap_samples must be at least 10 for a usable interval")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RiskSettings:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"unknown risk setting(s): {', '.join(unknown)}", fix=f"use only: {', '.join(sorted(known))}"
            )
        return cls(**data)

    @classmethod
    def load(cls, path: str | Path) -> RiskSettings:
        source = Path(path)
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError("the risk settings file is not readable JSON", where=str(source)) from exc
        if not isinstance(data, dict):
            raise ConfigError("the risk settings file must hold a JSON object", where=str(source))
        return cls.from_dict(data)
