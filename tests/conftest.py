"""Shared fixtures. Synthetic worlds are built once per session by famlink's own generator."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("COLUMNS", "100")

STUDY_DATE = date(2026, 6, 1)


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small deterministic synthetic world (300 families, 2 councils, seed 7), built once per session."""
    from famlink.synth.config import SynthConfig
    from famlink.synth.world import generate_world

    out = tmp_path_factory.mktemp("small_world") / "world"
    generate_world(SynthConfig(families=300, councils=2, seed=7), out)
    return out


@dataclass(frozen=True)
class SmallStudy:
    """A finished study run on a small world: where the world and the study folder are."""

    world: Path
    root: Path

    def store(self, party: str) -> Path:
        return self.root / "stores" / party


@pytest.fixture(scope="session")
def small_study(tmp_path_factory: pytest.TempPathFactory) -> SmallStudy:
    """A small world (80 families, 2 councils, seed 11) and the study's whole data flow run on it once."""
    from famlink.synth.config import SynthConfig
    from famlink.synth.world import generate_world
    from tests.e2e.study_steps import run_data_flow

    base = tmp_path_factory.mktemp("small_study")
    world = base / "world"
    generate_world(SynthConfig(families=80, councils=2, seed=11), world)
    run_data_flow(world, base / "study", STUDY_DATE)
    return SmallStudy(world, base / "study")
