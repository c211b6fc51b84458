"""Every knob of the synthetic world, validated once, and written verbatim into `world.json`.

Why one frozen object: determinism. The same `SynthConfig` (and nothing else: no clock, no
environment) fully decides the bytes of every file, so a test can regenerate a world and compare.
Defaults follow `/work/shared/reference/identifier-errors.md` (error rates) and the 2019 national
evaluation (true effects); `docs/reference/synthetic-world.md` explains each one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from famlink.errors import ConfigError

SOURCES = ("case_list", "local", "dwp", "moj", "dfe")
MAX_COUNCILS = 250


@dataclass(frozen=True)
class ErrorRates:
    """Probability, per person record in one source, of each way an identifier goes wrong."""

    name_typo: float = 0.01
    phonetic_variant: float = 0.005
    nickname: float = 0.02
    name_swap: float = 0.003
    hyphen_variant: float = 0.25
    previous_surname: float = 0.10
    dob_wrong: float = 0.003
    dob_missing: float = 0.002
    dob_day_month_swap: float = 0.002
    dob_other_format: float = 0.0
    postcode_typo: float = 0.01
    postcode_missing: float = 0.015
    nhs_missing: float = 0.03
    nino_missing: float = 0.03
    upn_missing: float = 0.03
    wrong_identifier: float = 0.001
    upper_case: bool = False


def _rates(**overrides: Any) -> ErrorRates:
    return replace(ErrorRates(), **overrides)


def default_error_rates() -> dict[str, ErrorRates]:
    """Per-source defaults: nicknames in council and police records, none in DWP or pupil records."""
    return {
        "case_list": _rates(dob_other_format=0.3),
        "local": _rates(name_typo=0.015, dob_other_format=0.3, nhs_missing=0.05),
        "dwp": _rates(nickname=0.0, name_typo=0.005, phonetic_variant=0.003, upper_case=True),
        "moj": _rates(nickname=0.025, name_typo=0.015, nino_missing=0.4, upper_case=True),
        "dfe": _rates(nickname=0.0, name_typo=0.005, previous_surname=0.0, upper_case=True),
    }


DEFAULT_EFFECTS: dict[str, float] = {
    "looked_after": -0.32,
    "adult_custody": -0.25,
    "juvenile_custody": -0.38,
    "juvenile_conviction": -0.15,
    "adult_conviction": 0.0,
    "offence": 0.0,
    "child_protection": 0.0,
    "child_in_need": 0.0,
    "school_absence": 0.0,
    "exclusion": 0.0,
    "out_of_work_benefit": 0.0,
}
"""Relative change in each outcome's rate after a family's start date (−0.32 = a third lower)."""


@dataclass(frozen=True)
class SynthConfig:
    """The arguments of `famlink synth`; see docs/reference/synthetic-world.md for each field."""

    families: int = 2000
    councils: int = 4
    seed: int = 1
    background_multiplier: float = 3.0
    known_background_share: float = 0.3
    eligible_join_share: float = 0.6
    eligible_wait_share: float = 0.2
    objection_rate: float = 0.02
    move_rate_per_year: float = 0.12
    twin_rate: float = 0.03
    junior_rate: float = 0.08
    effects: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_EFFECTS))
    error_rates: dict[str, ErrorRates] = field(default_factory=default_error_rates)

    def validate(self) -> SynthConfig:
        """Refuse impossible settings before anything is written, naming the setting to change."""
        _require(self.families >= 1, "--families must be at least 1", "families")
        _require(
            1 <= self.councils <= MAX_COUNCILS, f"--councils must be between 1 and {MAX_COUNCILS}", "councils"
        )
        _require(self.councils <= self.families, "--councils cannot exceed --families", "councils")
        _require(0 <= self.seed < 2**32, "--seed must be between 0 and 2^32 - 1", "seed")
        _require(0 <= self.background_multiplier <= 20, "background multiplier must be 0..20", "background")
        for name in ("known_background_share", "objection_rate", "twin_rate", "junior_rate"):
            _require(0 <= getattr(self, name) <= 1, f"{name} must be a probability", name)
        _require(0 <= self.move_rate_per_year <= 1, "move_rate_per_year must be 0..1", "move_rate_per_year")
        shares = self.eligible_join_share + self.eligible_wait_share
        _require(0 <= shares <= 1, "join and wait shares must sum to at most 1", "eligible_join_share")
        self._validate_effects()
        self._validate_error_rates()
        return self

    def _validate_effects(self) -> None:
        unknown = sorted(set(self.effects) - set(DEFAULT_EFFECTS))
        _require(not unknown, f"unknown effect name(s): {', '.join(unknown)}", "effects")
        for name, value in self.effects.items():
            _require(-1 <= value <= 0, f"effect '{name}' must be between -1 and 0 (a reduction)", name)

    def _validate_error_rates(self) -> None:
        unknown = sorted(set(self.error_rates) - set(SOURCES))
        _require(not unknown, f"unknown source(s) in error rates: {', '.join(unknown)}", "error_rates")
        for source, rates in self.error_rates.items():
            for name, value in asdict(rates).items():
                if isinstance(value, bool):
                    continue
                _require(0 <= value <= 1, f"error rate {source}.{name} must be a probability", name)

    def effect(self, outcome: str) -> float:
        return float(self.effects.get(outcome, 0.0))

    def rates(self, source: str) -> ErrorRates:
        return self.error_rates.get(source, default_error_rates()[source])

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["effects"] = {k: self.effects.get(k, 0.0) for k in DEFAULT_EFFECTS}
        data["error_rates"] = {s: asdict(self.rates(s)) for s in SOURCES}
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], where: str = "settings") -> SynthConfig:
        """Build a config from a mapping such as world.json's `parameters` (so a world can be
        regenerated) or a settings file; error rates and effects may be given in part."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"unknown setting(s): {', '.join(unknown)}",
                where=where,
                fix=f"use only: {', '.join(sorted(known))}",
            )
        values = dict(data)
        values["effects"] = {**DEFAULT_EFFECTS, **data.get("effects", {})}
        rates = default_error_rates()
        for source, overrides in data.get("error_rates", {}).items():
            base = rates.get(source, ErrorRates())
            try:
                rates[source] = replace(base, **overrides)
            except TypeError as exc:
                raise ConfigError(
                    f"unknown error rate name under '{source}'",
                    where=where,
                    fix=f"use only: {', '.join(asdict(base))}",
                ) from exc
        values["error_rates"] = rates
        try:
            return cls(**values)
        except TypeError as exc:
            raise ConfigError("a setting has the wrong type", where=where) from exc


def _require(ok: bool, what: str, setting: str) -> None:
    if not ok:
        raise ConfigError(what, where=f"setting '{setting}'", fix="change the value and run again")
