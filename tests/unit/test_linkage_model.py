"""The model's level lists are what the decision rules read Splink's gammas by.

`engine.HOUSEHOLD_GUARD` names levels by label through `model.gamma_of`; these tests tie the label
tuples to the comparisons Splink is actually given, and refuse a saved model whose levels differ.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from famlink.errors import ConfigError
from famlink.linkage.inputs import check_people
from famlink.linkage.model import ADDRESS_LEVELS, DOB_LEVELS, FIRST_NAME_LEVELS, POSTCODE_LEVELS, gamma_of
from famlink.linkage.prepare import MODEL_COLUMNS, standardise_side
from famlink.linkage.splink_pass import TrainedModel, level_labels, settings_as_dict


def _levels_between_null_and_else(name: str) -> tuple[str, ...]:
    labels = dict(level_labels(settings_as_dict("link_only")))[name]
    return tuple(labels[1:-1])


@pytest.mark.parametrize(
    ("comparison", "levels"),
    [
        ("first_name", FIRST_NAME_LEVELS),
        ("date_of_birth", DOB_LEVELS),
        ("postcode", POSTCODE_LEVELS),
        ("address", ADDRESS_LEVELS),
    ],
)
def test_the_label_tuples_are_the_comparisons_levels_in_order(
    comparison: str, levels: tuple[str, ...]
) -> None:
    assert _levels_between_null_and_else(comparison) == levels


def test_gamma_counts_down_from_the_top_level_to_one_above_else() -> None:
    assert gamma_of(DOB_LEVELS, "exact") == len(DOB_LEVELS)
    assert gamma_of(DOB_LEVELS, DOB_LEVELS[-1]) == 1
    assert gamma_of(FIRST_NAME_LEVELS, "middle_or_swapped") == 1


def _saved(tmp_path: Path, settings: dict) -> Path:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(settings), encoding="utf-8")
    return path


def test_a_model_with_this_famlinks_levels_loads(tmp_path: Path) -> None:
    settings = settings_as_dict("link_only")
    assert TrainedModel.load(_saved(tmp_path, settings)).settings == settings


def test_a_model_saved_with_other_levels_is_refused_with_what_to_do(tmp_path: Path) -> None:
    settings = settings_as_dict("link_only")
    dob = next(c for c in settings["comparisons"] if c["output_column_name"] == "date_of_birth")
    dob["comparison_levels"] = [
        level for level in dob["comparison_levels"] if level.get("label_for_charts") != "a_generation_apart"
    ]
    with pytest.raises(ConfigError) as refused:
        TrainedModel.load(_saved(tmp_path, settings))
    assert "retrain" in str(refused.value.fix)


def _level_cases(comparison: str) -> str:
    """SQL `WHEN condition THEN 'label'` for each non-else level of one comparison, top first, as
    Splink is given them: the order decides which level a pair lands in."""
    settings = settings_as_dict("link_only")
    levels = next(c for c in settings["comparisons"] if c["output_column_name"] == comparison)
    return " ".join(
        f"WHEN {level['sql_condition']} THEN '{level.get('label_for_charts', '')}'"
        for level in levels["comparison_levels"]
        if level["sql_condition"] != "ELSE"
    )


def _postcode_level(left: str, right: str) -> str:
    """The label of the postcode level Splink's SQL puts two valid UK postcodes in (sector, outward
    code and area derived from each as standardisation does)."""
    cases = _level_cases("postcode")
    parts = ", ".join(
        f"{value} AS postcode_std_{side}, split_part({value}, ' ', 1) AS postcode_outward_{side},"
        f" left({value}, length({value}) - 2) AS postcode_sector_{side},"
        f" regexp_extract({value}, '^[A-Z]+') AS postcode_area_{side}"
        for side, value in (("l", "$left"), ("r", "$right"))
    )
    rows = (
        duckdb.connect()
        .execute(f"SELECT CASE {cases} ELSE 'else' END FROM (SELECT {parts})", {"left": left, "right": right})
        .fetchall()
    )
    return str(rows[0][0])


@pytest.mark.parametrize(
    ("left", "right", "label"),
    [
        ("LS6 2AB", "LS6 2AB", "exact"),
        ("LS6 2AB", "LS6 2XY", "same_sector"),
        ("LS6 2AB", "LS6 7XY", "same_outward"),
        ("LS6 2AB", "LS14 6YU", "same_area"),  # moved within Leeds
        ("LS16 2AB", "LS61 2AB", "same_area"),  # a typo within the area counts as the area
        ("SL6 2AB", "LS6 2AB", "one_typo"),  # two adjacent characters swapped, across areas
        ("LS6 2AB", "LD6 2AB", "one_typo"),  # one character wrong, across areas
        ("LS6 2AB", "M13 9PL", "else"),
    ],
)
def test_postcode_levels_run_from_the_same_house_to_the_same_area(left: str, right: str, label: str) -> None:
    assert _postcode_level(left, right) == label


def _first_name_level(left: str, right: str) -> str:
    """The label of the first-name level two people land in, after famlink's own standardisation
    (so the phonetic keys are the ones prepare.py computes)."""
    con = duckdb.connect()
    for side, name in (("L", left), ("R", right)):
        people = pa.table(
            {
                "record_id": [side],
                "first_name": [name],
                "sex": ["F"],  # the nickname table is keyed by sex (BECKY is a girl's REBECCA)
                "surname": ["OKAFOR"],
                "date_of_birth": ["1990-01-01"],
            }
        )
        standardise_side(con, check_people(people, side), side, side)
    cases = _level_cases("first_name")
    columns = [c for c in MODEL_COLUMNS if c != "record_id"]
    both = ", ".join(f"{side}.{c} AS {c}_{side.lower()}" for side in ("L", "R") for c in columns)
    rows = con.execute(f"SELECT CASE {cases} ELSE 'else' END FROM (SELECT {both} FROM L, R)").fetchall()
    return str(rows[0][0])


@pytest.mark.parametrize(
    ("left", "right", "label"),
    [
        ("Amelia", "AMELIA", "exact"),
        ("Amy", "Aym", "one_edit"),  # Jaro-Winkler 0.56: short names need the edit count
        ("Mia", "Mai", "one_edit"),
        ("Louis", "Lewis", "sounds_alike"),  # Soundex L200 both (Metaphone keeps the W)
        ("Phoebe", "Febe", "sounds_alike"),  # Metaphone FB both (Soundex keeps the first letter)
        ("Jakub", "Jacob", "sounds_alike"),
        ("Becky", "Rebekah", "sounds_alike"),  # BECKY is REBECCA, which sounds like REBEKAH
        ("Amy", "Zoe", "else"),
        ("Adam", "Zainab", "else"),
    ],
)
def test_first_name_levels_catch_short_slips_and_names_that_sound_alike(
    left: str, right: str, label: str
) -> None:
    assert _first_name_level(left, right) == label
