"""Shared fixtures. Synthetic worlds are built once per session by famlink's own generator."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("COLUMNS", "100")


@pytest.fixture(scope="session")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small deterministic synthetic world (300 families, 2 councils, seed 7), built once per session."""
    from famlink.synth.config import SynthConfig
    from famlink.synth.world import generate_world

    out = tmp_path_factory.mktemp("small_world") / "world"
    generate_world(SynthConfig(families=300, councils=2, seed=7), out)
    return out
