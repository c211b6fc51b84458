"""`StudyReportInputs`: the one object the study report is rendered from, and its JSON form.

This is the report's input contract. It holds ONLY figures that already passed disclosure control —
study metadata, the cohort profile, linkage quality, balance, effects, group statements, the
payment-by-results rate, placebo and sensitivity checks, method notes, limitations and the
output-checking log — so that the research role can write it as JSON at the edge of the research
environment and anyone can render it elsewhere. It is independent of the evaluation and disclosure
packages' internals on purpose: they can change without the report (or its readers) noticing.

Reading JSON first scans the raw document for identifiers (a DisclosureError, exit 9), then validates
it (an InputFileError, exit 3, naming the field by its path and never quoting a value).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from famlink.errors import InputFileError
from famlink.report.checks import (
    GroupStatement,
    MethodNote,
    OutputCheckSummary,
    PaymentByResults,
    PlaceboResult,
    SensitivityResult,
)
from famlink.report.privacy import refuse_identifiers
from famlink.report.sections import (
    BalanceTable,
    Cohort,
    DisclosureSettings,
    Effect,
    LinkageQuality,
    OutcomeInfo,
    Part,
    StudyMetadata,
    WindowInfo,
)
from famlink.tabular import atomic_path

SCHEMA_VERSION = 1


class StudyReportInputs(Part):
    """Everything the report shows, already disclosure-checked and group-level (see module docstring)."""

    schema_version: Literal[1] = 1
    metadata: StudyMetadata
    disclosure: DisclosureSettings = Field(default_factory=DisclosureSettings)
    cohort: Cohort
    linkage: LinkageQuality
    outcomes: list[OutcomeInfo]
    windows: list[WindowInfo]
    balance: list[BalanceTable]
    effects: list[Effect]
    statements: list[GroupStatement] = Field(default_factory=list)
    payment_by_results: PaymentByResults | None = None
    placebo: list[PlaceboResult] = Field(default_factory=list)
    sensitivity: list[SensitivityResult] = Field(default_factory=list)
    methods: list[MethodNote] = Field(default_factory=list)
    limitations: list[str] = Field(default_factory=list)
    summary_notes: list[str] = Field(
        default_factory=list, description="The researchers' own plain-language points for the summary."
    )
    output_check: OutputCheckSummary

    @model_validator(mode="after")
    def _references_resolve(self) -> StudyReportInputs:
        """Every outcome, window and comparison group named by a result must be described once."""
        known = {
            "outcome": {o.key for o in self.outcomes},
            "window": {w.key for w in self.windows} | {"pre12"},
            "comparison group": {g.key for g in self.cohort.comparison_groups},
        }
        for where, kind, key in self._references():
            if key not in known[kind]:
                raise ValueError(f"the {kind} of {where} is not described in the inputs")
        if self.metadata.primary_comparison not in known["comparison group"]:
            raise ValueError("metadata.primary_comparison is not one of the cohort's comparison groups")
        return self

    def _references(self) -> Iterator[tuple[str, str, str]]:
        results: list[tuple[str, list[Any]]] = [
            ("effects", list(self.effects)),
            ("statements", list(self.statements)),
            ("placebo", list(self.placebo)),
            ("sensitivity", list(self.sensitivity)),
        ]
        for name, items in results:
            for index, item in enumerate(items):
                yield f"{name}[{index}]", "outcome", item.outcome
                yield f"{name}[{index}]", "window", item.window
                yield f"{name}[{index}]", "comparison group", item.comparison_group
        for index, table in enumerate(self.balance):
            yield f"balance[{index}]", "comparison group", table.comparison_group
        pbr = self.payment_by_results
        if pbr is not None and pbr.comparison_group is not None:
            yield "payment_by_results", "comparison group", pbr.comparison_group

    # --- JSON round trip -------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, raw: object, *, source: str = "report inputs") -> StudyReportInputs:
        """Scan for identifiers, then validate; errors name the field's path, never its value."""
        refuse_identifiers(raw, source=source)
        try:
            return cls.model_validate(raw)
        except ValidationError as err:
            first = err.errors()[0]
            path = _path_text(first["loc"])
            raise InputFileError(
                f"the report inputs are not valid: {first['msg']} ({err.error_count()} problem(s) in all)",
                where=f"{source}, field {path}" if path else source,
                fix="write the inputs as docs/reference/report.md describes, e.g. from StudyReportInputs",
            ) from None

    @classmethod
    def from_json(cls, text: str, *, source: str = "report inputs") -> StudyReportInputs:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as err:
            raise InputFileError(
                "the report inputs are not valid JSON",
                where=f"{source}, line {err.lineno}, column {err.colno}",
                fix="check the file is the JSON the research role wrote",
            ) from None
        return cls.from_dict(raw, source=source)

    @classmethod
    def load(cls, path: str | Path) -> StudyReportInputs:
        target = Path(path)
        try:
            text = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise InputFileError(
                "cannot read the report inputs",
                where=str(target),
                fix="check the path and that it is UTF-8 JSON",
            ) from None
        return cls.from_json(text, source=target.name)

    def save(self, path: str | Path) -> Path:
        """Write the JSON atomically (a failed write leaves nothing behind)."""
        target = Path(path)
        with atomic_path(target) as tmp:
            tmp.write_text(self.to_json(), encoding="utf-8")
        return target


def _path_text(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
