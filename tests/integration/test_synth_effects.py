"""The programme's true effect is in the outcome histories, and the world is deterministic."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import numpy as np
import pytest

from famlink.synth.config import DEFAULT_EFFECTS, SynthConfig
from famlink.synth.effects import _prevented
from famlink.synth.world import generate_world


@pytest.fixture(scope="module")
def world_without_effect(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small world's twin: same seed and settings, the programme's effect switched off."""
    out = tmp_path_factory.mktemp("no_effect") / "world"
    generate_world(
        SynthConfig(families=300, councils=2, seed=7, effects=dict.fromkeys(DEFAULT_EFFECTS, 0.0)), out
    )
    return out


def _after_start(world: Path, table: str, source: str, condition: str, date_column: str) -> tuple[int, int]:
    """(events before, events after) the family's start date, for families that joined or waited."""
    con = duckdb.connect()
    return con.execute(
        f"select count(*) filter (where e.{date_column} < f.start_date), "
        f"count(*) filter (where e.{date_column} >= f.start_date) "
        f"from '{world}/{table}' e "
        f"join '{world}/truth/records.parquet' r on r.source = '{source}' and r.record_id = e.record_id "
        f"join '{world}/truth/persons.parquet' p using (person_id) "
        f"join '{world}/truth/families.parquet' f using (family_id) "
        f"where f.start_date is not null and {condition}"
    ).fetchall()[0]


OUTCOMES = [
    ("departments/dfe/children_in_need.parquet", "dfe", "e.episode = 'lac'", "start_date", "looked_after"),
    (
        "departments/moj/events.parquet",
        "moj",
        "e.event = 'custody' and not e.juvenile",
        "date",
        "adult_custody",
    ),
    (
        "departments/moj/events.parquet",
        "moj",
        "e.event = 'conviction' and e.juvenile",
        "date",
        "juvenile_conviction",
    ),
]


@pytest.mark.parametrize(("table", "source", "condition", "date_column", "outcome"), OUTCOMES)
def test_the_effect_lowers_department_outcomes_after_the_start_date_only(
    small_world: Path,
    world_without_effect: Path,
    table: str,
    source: str,
    condition: str,
    date_column: str,
    outcome: str,
) -> None:
    before, after = _after_start(small_world, table, source, condition, date_column)
    before_cf, after_cf = _after_start(world_without_effect, table, source, condition, date_column)
    assert before == before_cf
    assert after < after_cf
    effects = json.loads((small_world / "truth" / "effects.json").read_text())
    assert effects["effects"][outcome] == DEFAULT_EFFECTS[outcome]
    assert effects["events_removed"][outcome] >= after_cf - after


def _council_lac_after_start(world: Path) -> int:
    return sum(
        _after_start(
            world,
            f"councils/{c}/local/social_care.parquet",
            f"council/{c}/local",
            "e.event = 'lac_start'",
            "date",
        )[1]
        for c in ("LA01", "LA02")
    )


def test_council_data_shows_exactly_the_prevented_looked_after_starts(
    small_world: Path, world_without_effect: Path
) -> None:
    removed = json.loads((small_world / "truth" / "effects.json").read_text())["events_removed"][
        "looked_after"
    ]
    assert removed > 0
    assert _council_lac_after_start(world_without_effect) - _council_lac_after_start(small_world) == removed


def test_thinning_keeps_one_plus_the_effect_of_the_events_after_the_start() -> None:
    uniforms = np.random.default_rng(1).random(200_000)
    after = np.arange(200_000) % 2 == 0
    prevented = _prevented(uniforms, after, -0.32)
    assert not prevented[~after].any()
    assert abs(prevented[after].mean() - 0.32) < 0.005


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    config = SynthConfig(families=60, councils=2, seed=11, background_multiplier=1.0)
    generate_world(config, tmp_path / "a")
    generate_world(config, tmp_path / "b")
    first, second = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert len(first) > 25 and first == second
    generate_world(SynthConfig(families=60, councils=2, seed=12, background_multiplier=1.0), tmp_path / "c")
    third = _digest(tmp_path / "c")
    assert third["councils/LA01/case_list.parquet"] != first["councils/LA01/case_list.parquet"]


@pytest.mark.slow
def test_parallel_generation_gives_the_same_bytes_as_sequential(tmp_path: Path) -> None:
    config = SynthConfig(families=200, councils=3, seed=5, background_multiplier=1.0)
    generate_world(config, tmp_path / "one", workers=1)
    generate_world(config, tmp_path / "two", workers=2)
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")
