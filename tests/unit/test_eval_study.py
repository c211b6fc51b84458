"""The study layer: programme against 'later' and 'never' comparison groups, side by side."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from famlink.errors import ConfigError
from famlink.evaluation.run import EvaluationSettings
from famlink.evaluation.study import evaluate_study, family_level, side_by_side, study_dataset


def wide_cohort(n_families: int = 240, seed: int = 2) -> pa.Table:
    """Person rows with spec-C cohort columns and outcome columns as person_outcomes names them.

    'later' families are like the programme's; 'never' families have fewer problems and a lower
    looked-after risk, so a comparison with them (without adjustment) would flatter the programme.
    """
    rng = np.random.default_rng(seed)
    group = rng.choice(["programme", "later", "never"], n_families, p=[0.4, 0.3, 0.3])
    family = np.repeat(np.arange(n_families), 3)
    problems = np.where(group == "never", rng.integers(2, 4, n_families), rng.integers(3, 7, n_families))
    risk = 0.05 * problems[family] - 0.05 * (group[family] == "programme")
    looked_after = (rng.random(len(family)) < np.clip(risk, 0, 1)).astype(float)
    return pa.table(
        {
            "person_id": np.arange(len(family)),
            "family_id": family,
            "group": group[family],
            "council": np.where(family % 2 == 0, "LA01", "LA02"),
            "role": np.tile(["parent", "child", "child"], n_families),
            "age_at_start": np.tile([35, 9, 6], n_families),
            "problems_met": problems[family],
            "looked_after_pre12": (rng.random(len(family)) < 0.05 * problems[family]).astype(float),
            "looked_after_m0_6": looked_after,
        }
    )


def test_study_dataset_keeps_the_programme_and_the_chosen_comparison_only() -> None:
    table = study_dataset(wide_cohort(), "never")
    assert set(table.column("group").to_pylist()) == {"programme", "never"}
    treated = np.asarray(table.column("treated"))
    assert (treated == (np.asarray(table.column("group")) == "programme")).all()
    with pytest.raises(ConfigError):
        study_dataset(wide_cohort(), "waiting")


def test_both_comparison_groups_are_evaluated_and_reported_side_by_side() -> None:
    settings = EvaluationSettings(se="ai")
    results = evaluate_study(wide_cohort(), outcomes=["looked_after"], windows=["m0_6"], settings=settings)
    assert set(results) == {"later", "never"}
    table = side_by_side(results).to_pylist()
    assert [(r["comparison"], r["outcome"]) for r in table] == [
        ("later", "looked_after_m0_6"),
        ("never", "looked_after_m0_6"),
    ]
    assert all(r["ci_low"] < r["att"] < r["ci_high"] for r in table)
    assert results["later"].placebo[0].outcome == "looked_after_pre12 (placebo)"


def test_family_level_rolls_members_up() -> None:
    families = family_level(wide_cohort(n_families=20))
    assert families.num_rows == 20
    assert families.column("members").to_pylist() == [3] * 20


def test_many_councils_become_one_programme_share_column_in_row_order() -> None:
    from famlink.evaluation.study import COUNCIL_SHARE, council_as_a_number_when_many

    councils = [f"LA{i:03d}" for i in range(60) for _ in range(4)][::-1]  # 60 councils, reversed order
    groups = ["programme", "later", "later", "later"] * 60
    groups[0] = "later"  # the last council (first rows) has no programme people
    people = pa.table({"council": councils, "group": groups})
    widened, chosen = council_as_a_number_when_many(people, ["sex", "council"])
    assert chosen == ["sex", COUNCIL_SHARE]
    shares = widened.column(COUNCIL_SHARE).to_pylist()
    assert shares[:4] == [0.0, 0.0, 0.0, 0.0]
    assert shares[4:8] == [0.25, 0.25, 0.25, 0.25]


def test_a_few_councils_stay_as_categories() -> None:
    from famlink.evaluation.study import council_as_a_number_when_many

    people = pa.table({"council": ["LA01", "LA02"] * 3, "group": ["programme", "later"] * 3})
    same, chosen = council_as_a_number_when_many(people, ["council"])
    assert chosen == ["council"] and same.column_names == people.column_names
