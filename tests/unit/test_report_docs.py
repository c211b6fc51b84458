"""Every field of the report's input contract is documented in docs/reference/report.md."""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel

from famlink.report import StudyReportInputs

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference" / "report.md"


def _models(model: type[BaseModel], seen: list[type[BaseModel]]) -> list[type[BaseModel]]:
    if model not in seen:
        seen.append(model)
        for field in model.model_fields.values():
            stack = [field.annotation]
            while stack:
                kind = stack.pop()
                stack.extend(typing.get_args(kind))
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    _models(kind, seen)
    return seen


def test_every_part_and_field_is_in_the_reference() -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    models = _models(StudyReportInputs, [])
    assert len(models) >= 20
    for model in models:
        section = text.split(f"### `{model.__name__}`", 1)
        assert len(section) == 2, f"{model.__name__} is not documented"
        body = section[1].split("\n### ", 1)[0]
        for name in model.model_fields:
            assert f"- `{name}` (" in body, f"{model.__name__}.{name} is not documented"
