"""The weight floor: no agreement level weighs more against a match than total disagreement."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from famlink.linkage.weight_floor import floor_partial_agreement


def _comparison(name: str, levels: Sequence[tuple[str, float | None, float, bool]]) -> dict[str, Any]:
    """A Splink comparison as saved in a model: a null level, then (label, m, u, m fixed) rows."""
    saved: list[dict[str, Any]] = [{"is_null_level": True, "label_for_charts": "null"}]
    for label, m, u, fixed in levels:
        level: dict[str, Any] = {"label_for_charts": label, "u_probability": u, "fix_m_probability": fixed}
        if m is not None:
            level["m_probability"] = m
        saved.append(level)
    return {"output_column_name": name, "comparison_levels": saved}


def _weights(comparison: dict[str, Any]) -> dict[str, float]:
    return {
        level["label_for_charts"]: math.log2(level["m_probability"] / level["u_probability"])
        for level in comparison["comparison_levels"]
        if level.get("m_probability")
    }


def test_collapsed_partial_levels_are_raised_to_the_else_weight_and_nothing_else_moves() -> None:
    #            label                m       u       m fixed
    address = _comparison(
        "address",
        [
            ("exact", 0.754, 1.55e-5, False),
            ("jw_0.9", 3.14e-4, 2.05e-3, False),  # -2.7, just below else's -2.0
            ("most_words_shared", 1.62e-12, 1.27e-3, False),  # EM's collapse: -29.6
            ("else", 0.246, 0.997, False),
        ],
    )
    before = _weights(address)
    raised = floor_partial_agreement({"comparisons": [address]})
    after = _weights(address)

    # (EM's estimates from MoJ's national match.)
    assert raised == ["address: jw_0.9", "address: most_words_shared"]
    for label in raised:
        assert math.isclose(after[label.split(": ")[1]], after["else"], abs_tol=1e-9)
    # The other levels keep their weights (the rescale moves them all by the same tiny amount).
    for label in ("exact", "else"):
        assert math.isclose(after[label], before[label], abs_tol=1e-2)
    assert math.isclose(sum(lv.get("m_probability", 0) for lv in address["comparison_levels"]), 1.0)


def test_a_level_whose_m_is_set_on_purpose_and_a_level_never_seen_are_left_alone() -> None:
    dob = _comparison(
        "date_of_birth",
        [
            ("exact", 0.98, 8e-5, False),
            ("a_generation_apart", 1e-3, 0.58, True),  # set below else on purpose
            ("never_seen", None, 5e-7, False),
            ("else", 0.019, 0.34, False),
        ],
    )
    untouched = {lv["label_for_charts"]: dict(lv) for lv in dob["comparison_levels"]}

    assert floor_partial_agreement({"comparisons": [dob]}) == []
    assert {lv["label_for_charts"]: lv for lv in dob["comparison_levels"]} == untouched


def test_a_model_that_already_respects_the_floor_is_unchanged() -> None:
    levels = [("exact", 0.997, 0.496, False), ("else", 0.003, 0.504, False)]
    sex = _comparison("sex", levels)

    assert floor_partial_agreement({"comparisons": [sex]}) == []
    assert sex == _comparison("sex", levels)


_probability = st.floats(min_value=1e-15, max_value=1.0, allow_nan=False)


@given(
    levels=st.lists(st.tuples(_probability, _probability, st.booleans()), min_size=1, max_size=7),
    else_m=_probability,
    else_u=_probability,
)
def test_after_the_floor_no_trainable_level_weighs_less_than_else(
    levels: list[tuple[float, float, bool]], else_m: float, else_u: float
) -> None:
    rows = [(f"level{i}", m, u, fixed) for i, (m, u, fixed) in enumerate(levels)]
    comparison = _comparison("any", [*rows, ("else", else_m, else_u, False)])
    before = _weights(comparison)

    floor_partial_agreement({"comparisons": [comparison]})
    after = _weights(comparison)

    for label, _, _, fixed in rows:
        if fixed:
            continue
        assert after[label] >= after["else"] - 1e-9
        # A level already above the floor keeps its place relative to 'else'.
        if before[label] >= before["else"]:
            assert math.isclose(after[label] - after["else"], before[label] - before["else"], abs_tol=1e-6)
