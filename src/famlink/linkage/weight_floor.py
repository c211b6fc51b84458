"""No agreement level may count as stronger evidence against a match than total disagreement.

Why this exists: EM estimates each level's m probability from the pairs it believes are matches.
A partial-agreement level that true pairs rarely reach in the training blocks (an address sharing
its house number and 'ROAD' after a move, a first name one keystroke out, a middle initial) can come
out with m near zero, so its weight falls far below the 'else' level's: on MoJ's national match EM
gave 'most words of the address shared' -29.6 (else -2.0) and a one-edit first name -37.4 (else
-6.2). A person who moved to 122 SPRINGFIELD ROAD from 122 BEECH ROAD then scored lower than one
who moved to a house with nothing in common, and 35 true pairs agreeing on every name and the date
of birth fell below the review band. Agreement of any kind is never evidence *against* one person
that total disagreement is not, so each such level is raised to the 'else' level's weight.

Splink has no option for monotone levels, and its levels are not all nested (sounds-alike and one
edit are not ordered against each other), so the floor is the one ordering every level shares:
above 'else'. Levels whose m is set on purpose (fix_m_probability: a date of birth a generation
apart, which should weigh more against than 'else') and levels EM never saw (no m) are left alone.
"""

from __future__ import annotations

from typing import Any


def floor_partial_agreement(settings: dict[str, Any]) -> list[str]:
    """Raise, in place, every trainable level weighted below its comparison's 'else' level to the
    'else' weight, then rescale the comparison's trainable m probabilities to sum to one again.
    Returns 'comparison: level' for each level raised, for the tests and for analysts checking a model."""
    raised: list[str] = []
    for comparison in settings.get("comparisons", []):
        raised_here = len(raised)
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        else_ratio = _bayes_factor(levels[-1]) if levels else None
        if else_ratio is None:
            continue
        for level in levels[:-1]:
            ratio = _bayes_factor(level)
            if ratio is not None and ratio < else_ratio and not level.get("fix_m_probability"):
                level["m_probability"] = level["u_probability"] * else_ratio
                raised.append(f"{comparison['output_column_name']}: {level.get('label_for_charts')}")
        if len(raised) > raised_here:
            _rescale_m(levels)
    return raised


def _bayes_factor(level: dict[str, Any]) -> float | None:
    m, u = level.get("m_probability"), level.get("u_probability")
    return m / u if m and u else None


def _rescale_m(levels: list[dict[str, Any]]) -> None:
    """Keep the m probabilities a distribution: fixed ones stay, the trainable ones share the rest."""
    fixed = sum(level.get("m_probability") or 0.0 for level in levels if level.get("fix_m_probability"))
    trainable = [lv for lv in levels if lv.get("m_probability") and not lv.get("fix_m_probability")]
    total = sum(level["m_probability"] for level in trainable)
    if total <= 0 or fixed >= 1:
        return
    scale = (1.0 - fixed) / total
    for level in trainable:
        level["m_probability"] *= scale
