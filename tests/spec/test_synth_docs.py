"""docs/reference/synthetic-world.md documents every file, column, setting, error rate and effect."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pyarrow.parquet as pq

from famlink.contracts.person import PERSON_COLUMNS
from famlink.synth.config import DEFAULT_EFFECTS, ErrorRates, SynthConfig

DOC = (Path(__file__).resolve().parents[2] / "docs" / "reference" / "synthetic-world.md").read_text()


def test_every_file_and_column_of_a_world_is_documented(small_world: Path) -> None:
    for path in small_world.rglob("*.parquet"):
        relative = path.relative_to(small_world).as_posix().replace("LA01", "<LA>").replace("LA02", "<LA>")
        assert relative in DOC or f"`{path.name}`" in DOC, relative
        for column in pq.read_schema(path).names:
            assert column in PERSON_COLUMNS or f"`{column}`" in DOC, (relative, column)


def test_every_setting_error_rate_and_effect_is_documented() -> None:
    for setting in fields(SynthConfig):
        assert f"`{setting.name}`" in DOC, setting.name
    for rate in fields(ErrorRates):
        assert f"`{rate.name}`" in DOC, rate.name
    for effect in DEFAULT_EFFECTS:
        assert f"`{effect}`" in DOC, effect
