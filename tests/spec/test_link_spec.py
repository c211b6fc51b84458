"""Spec tests for famlink's linkage engine, written as small readable tables.

A model is trained once on the small synthetic world (council people against DWP) and reused here,
which is also how a department runs monthly matching: train once, then `model_path=`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from famlink.contracts.person import PERSON_COLUMNS
from famlink.linkage import splink_pass
from famlink.linkage.api import LinkResult, link_tables
from famlink.linkage.options import LinkOptions

COLUMNS = [c for c in PERSON_COLUMNS if c not in ("nino", "upn")]
HOME = {"surname": "Okafor", "postcode": "LS6 2AB", "address": "14 Cardigan Road"}


def people(*rows: dict[str, Any]) -> pa.Table:
    """A person table from short dicts: household fields default to one shared home."""
    full = [{**HOME, "sex": None, "middle_names": None, "nhs_number": None, **row} for row in rows]
    return pa.table({c: [r.get(c) for r in full] for c in COLUMNS})


def pairs(result: LinkResult) -> set[tuple[str, str]]:
    return set(zip(result.links["left_id"].to_pylist(), result.links["right_id"].to_pylist(), strict=True))


@pytest.fixture(scope="module")
def model(small_world: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Train on the small world once and save the model, as `famlink link` does beside its output."""
    council = pq.read_table(small_world / "councils" / "LA01" / "local" / "people.parquet")
    dwp = pq.read_table(small_world / "departments" / "dwp" / "people.parquet")
    result = link_tables(council, dwp, LinkOptions())
    path = tmp_path_factory.mktemp("model") / "model.json"
    path.write_text(result.model_json, encoding="utf-8")
    return path


def link(left: pa.Table, right: pa.Table, model: Path, **options: Any) -> LinkResult:
    return link_tables(left, right, LinkOptions(**options), model_path=model)


# --- household awareness: siblings, twins and juniors share surname, address and postcode ---------

OLIVIA = {"first_name": "Olivia", "sex": "F", "date_of_birth": "2010-05-01"}
AMELIA = {"first_name": "Amelia", "sex": "F", "date_of_birth": "2012-08-19"}
JACK = {"first_name": "Jack", "sex": "M", "date_of_birth": "2011-03-03"}
HARRY = {"first_name": "Harry", "sex": "M", "date_of_birth": "2011-03-03"}
JOHN_SR = {"first_name": "John", "sex": "M", "date_of_birth": "1976-09-14"}
JOHN_JR = {"first_name": "John", "sex": "M", "date_of_birth": "2004-02-27"}


@pytest.mark.parametrize(
    ("left_person", "right_person"),
    [(OLIVIA, AMELIA), (JACK, HARRY), (JOHN_JR, JOHN_SR)],
    ids=["sibling", "twin", "junior-senior"],
)
def test_a_household_member_is_never_linked_to_another(
    model: Path, left_person: dict, right_person: dict
) -> None:
    result = link(
        people({"record_id": "L1", **left_person}), people({"record_id": "R1", **right_person}), model
    )
    assert result.links.num_rows == 0


def test_each_child_takes_their_own_record_not_a_siblings(model: Path) -> None:
    left = people({"record_id": "L-olivia", **OLIVIA}, {"record_id": "L-jack", **JACK})
    right = people(
        {"record_id": "R-amelia", **AMELIA},
        {"record_id": "R-harry", **HARRY},
        {"record_id": "R-jack", **JACK},
        {"record_id": "R-olivia", **OLIVIA},
    )
    assert pairs(link(left, right, model)) == {("L-olivia", "R-olivia"), ("L-jack", "R-jack")}


def test_a_nickname_is_the_same_person(model: Path) -> None:
    left = people({"record_id": "L1", **JOHN_SR, "first_name": "William"})
    right = people({"record_id": "R1", **JOHN_SR, "first_name": "Bill"})
    assert pairs(link(left, right, model)) == {("L1", "R1")}


def test_day_and_month_transposed_is_the_same_person(model: Path) -> None:
    left = people({"record_id": "L1", **JOHN_SR, "date_of_birth": "1976-09-04"})
    right = people({"record_id": "R1", **JOHN_SR, "date_of_birth": "1976-04-09"})
    assert pairs(link(left, right, model)) == {("L1", "R1")}


def test_a_short_name_mistyped_or_spelt_as_it_sounds_is_the_same_person(model: Path) -> None:
    """AMY keyed AYM and LOUIS written LEWIS score low on Jaro-Winkler; at one home with the same
    birthday they are one person, not a sibling."""
    amy = {"first_name": "Amy", "sex": "F", "date_of_birth": "2009-06-21"}
    louis = {"first_name": "Louis", "sex": "M", "date_of_birth": "2007-01-30"}
    left = people({"record_id": "L-amy", **amy}, {"record_id": "L-louis", **louis})
    right = people(
        {"record_id": "R-amy", **amy, "first_name": "Aym"},
        {"record_id": "R-louis", **louis, "first_name": "Lewis"},
    )
    assert pairs(link(left, right, model)) == {("L-amy", "R-amy"), ("L-louis", "R-louis")}


# --- middle names, and names shared across a generation ----------------------------------------

GRACE = {"first_name": "Grace", "middle_names": "Ava", "sex": "F", "date_of_birth": "1985-11-04"}
GRACE_LATER = {**GRACE, "surname": "Lewis", "postcode": "LS14 6YU", "address": "64 Green Close"}


@pytest.fixture(scope="module")
def crowd(small_world: Path) -> tuple[pa.Table, pa.Table]:
    """A council's and DWP's people from the small world: the files a pair is linked among, so that
    name frequencies and the prior are those of real files (alone, every name is unique and counts
    for nothing)."""
    as_text = pa.schema([(c, pa.string()) for c in COLUMNS])
    tables = (small_world / "councils" / "LA01" / "local", small_world / "departments" / "dwp")
    return tuple(  # type: ignore[return-value]
        pq.read_table(folder / "people.parquet").select(COLUMNS).cast(as_text) for folder in tables
    )


def linked_among(
    crowd: tuple[pa.Table, pa.Table], model: Path, left_person: dict, right_person: dict
) -> set[tuple[str, str]]:
    """The links of record L1 when L1 joins the council's file and R1 joins DWP's."""
    council, dwp = crowd
    left = pa.concat_tables([council, people({"record_id": "L1", **left_person}).cast(council.schema)])
    right = pa.concat_tables([dwp, people({"record_id": "R1", **right_person}).cast(dwp.schema)])
    return {pair for pair in pairs(link(left, right, model)) if pair[0] == "L1"}


def test_a_woman_under_her_previous_surname_after_a_move_is_found_by_her_middle_name(
    crowd: tuple[pa.Table, pa.Table], model: Path
) -> None:
    """Surname, postcode and address all differ; first name, middle name, sex and DOB agree."""
    assert linked_among(crowd, model, GRACE, GRACE_LATER) == {("L1", "R1")}


MARK = {"first_name": "Mark", "surname": "Hallworth", "sex": "M", "date_of_birth": "1983-02-17"}


@pytest.mark.parametrize(
    "new_address",
    ["122 Springfield Road", "7 Green Close"],
    ids=["sharing-number-and-road", "nothing-in-common"],
)
def test_a_move_within_the_area_links_whatever_the_new_address_shares_with_the_old(
    crowd: tuple[pa.Table, pa.Table], model: Path, new_address: str
) -> None:
    """From 122 Beech Road to 122 Springfield Road: EM had weighted 'most words shared' far below an
    address with nothing in common (-83 on this model), so this mover alone was lost."""
    before = {**MARK, "postcode": "LS6 2AB", "address": "122 Beech Road"}
    after = {**MARK, "postcode": "LS14 6QT", "address": new_address}
    assert linked_among(crowd, model, before, after) == {("L1", "R1")}


def test_no_trained_level_weighs_more_against_a_match_than_total_disagreement(model: Path) -> None:
    settings = json.loads(model.read_text(encoding="utf-8"))
    for comparison in settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        floor = levels[-1]["m_probability"] / levels[-1]["u_probability"]
        for level in levels[:-1]:
            if level.get("m_probability") and not level.get("fix_m_probability"):
                ratio = level["m_probability"] / level["u_probability"]
                where = (comparison["output_column_name"], level["label_for_charts"])
                assert ratio >= floor * (1 - 1e-9), where


def test_without_the_middle_name_agreeing_she_is_not_linked(
    crowd: tuple[pa.Table, pa.Table], model: Path
) -> None:
    assert linked_among(crowd, model, GRACE, {**GRACE_LATER, "middle_names": "Mia"}) == set()


def test_people_named_alike_a_generation_apart_are_not_linked(
    crowd: tuple[pa.Table, pa.Table], model: Path
) -> None:
    """A girl and a woman of another family with the same three names, in the same district."""
    girl = {**GRACE, "surname": "Kowalczyk", "date_of_birth": "2007-10-11", "postcode": "LS2 4JJ"}
    woman = {**girl, "date_of_birth": "1978-12-08", "postcode": "LS2 4TG", "address": "20 Westfield Gardens"}
    assert linked_among(crowd, model, girl, woman) == set()


# --- the exact pass -----------------------------------------------------------------------------

NHS = "9434765919"  # valid check digit (reference examples)
NHS_BAD = "9434765918"  # fails the check digit


def test_a_shared_valid_nhs_number_with_a_consistent_record_is_an_exact_link(model: Path) -> None:
    left = people({"record_id": "L1", **JOHN_SR, "nhs_number": NHS})
    right = people({"record_id": "R1", **JOHN_SR, "nhs_number": NHS, "postcode": "M1 1AE", "address": "x"})
    result = link(left, right, model)
    assert pairs(result) == {("L1", "R1")}
    assert result.links["decided_by"].to_pylist() == ["exact"]


def test_shared_nhs_number_with_different_sex_and_years_apart_is_a_conflict_for_review(model: Path) -> None:
    left = people({"record_id": "L1", **JOHN_SR, "nhs_number": NHS})
    right = people({"record_id": "R1", **OLIVIA, "nhs_number": NHS})
    result = link(left, right, model)
    assert result.links.num_rows == 0
    assert result.review.to_pylist() == [
        {
            "left_id": "L1",
            "right_id": "R1",
            "match_probability": None,
            "match_weight": None,
            "reason": "identifier_conflict",
        }
    ]


def test_an_invalid_nhs_number_is_never_an_exact_link(model: Path) -> None:
    left = people({"record_id": "L1", **JOHN_SR, "nhs_number": NHS_BAD})
    right = people({"record_id": "R1", **JOHN_SR, "nhs_number": NHS_BAD})
    result = link(left, right, model)
    assert "exact" not in result.links["decided_by"].to_pylist()


def test_another_persons_nhs_number_does_not_link_siblings(model: Path) -> None:
    """A sibling's valid NHS number on a child's record: first name and DOB disagree, so not exact."""
    left = people({"record_id": "L1", **OLIVIA, "nhs_number": NHS})
    right = people({"record_id": "R1", **AMELIA, "nhs_number": NHS})
    assert "exact" not in link(left, right, model).links["decided_by"].to_pylist()


# --- one-to-one, many, review band ----------------------------------------------------------------


def test_one_to_one_by_default_and_several_with_many(model: Path) -> None:
    left = people({"record_id": "L1", **JOHN_SR})
    right = people({"record_id": "R1", **JOHN_SR}, {"record_id": "R2", **JOHN_SR})
    assert link(left, right, model).links.num_rows == 1
    assert pairs(link(left, right, model, many=True)) == {("L1", "R1"), ("L1", "R2")}


def test_a_pair_below_the_threshold_but_in_the_band_goes_to_review(model: Path) -> None:
    left = people({"record_id": "L1", **JOHN_SR})
    right = people({"record_id": "R1", **JOHN_SR})
    accepted = link(left, right, model)
    probability = accepted.links["match_probability"][0].as_py()
    strict = link(
        left, right, model, threshold=min(1.0, probability + 1e-12), review_low=0.01, mutual_best=False
    )
    if probability < 1.0:
        assert strict.links.num_rows == 0
        assert strict.review["reason"].to_pylist() == ["review_band"]


def test_a_rival_free_pair_in_the_band_is_accepted_by_default(model: Path) -> None:
    left = people({"record_id": "L1", **JOHN_SR})
    right = people({"record_id": "R1", **JOHN_SR})
    probability = link(left, right, model).links["match_probability"][0].as_py()
    if probability < 1.0:
        threshold = min(1.0, probability + 1e-12)
        default = link(left, right, model, threshold=threshold, review_low=0.01)
        assert default.links["right_id"].to_pylist() == ["R1"]  # no rival on either side
        assert default.review.num_rows == 0


def test_every_decision_respects_the_threshold_and_band(model: Path, small_world: Path) -> None:
    council = pq.read_table(small_world / "councils" / "LA02" / "local" / "people.parquet")
    dwp = pq.read_table(small_world / "departments" / "dwp" / "people.parquet")
    options = {"threshold": 0.9, "review_low": 0.3, "mutual_best": False}
    result = link(council, dwp, model, **options)
    for row in result.links.to_pylist():
        assert row["decided_by"] == "exact" or row["match_probability"] >= 0.9
    for row in result.review.to_pylist():
        if row["reason"] == "review_band":
            assert 0.3 <= row["match_probability"] < 0.9
    assert len(set(result.links["left_id"].to_pylist())) == result.links.num_rows
    assert len(set(result.links["right_id"].to_pylist())) == result.links.num_rows


# --- model reuse and determinism ------------------------------------------------------------------


def test_a_saved_model_is_reused_without_training(model: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("trained although a model was given")

    monkeypatch.setattr(splink_pass, "train", refuse)
    result = link(people({"record_id": "L1", **JACK}), people({"record_id": "R1", **JACK}), model)
    assert pairs(result) == {("L1", "R1")}
    assert '"comparisons"' in result.model_json


def test_the_same_seed_gives_the_same_model_and_links(small_world: Path) -> None:
    council = pq.read_table(small_world / "councils" / "LA01" / "case_list.parquet")
    dfe = pq.read_table(small_world / "departments" / "dfe" / "people.parquet")
    first = link_tables(council, dfe, LinkOptions(seed=5))
    second = link_tables(council, dfe, LinkOptions(seed=5))
    assert first.model_json == second.model_json
    assert first.links.equals(second.links)
