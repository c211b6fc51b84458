"""The true effect of joining: after a family's start date, each outcome happens less often.

Applied by thinning: every untreated event after the start date is kept with probability
1 + effect (effect −0.32 keeps 68%). One uniform number is drawn per event whatever the effect
size, so a world generated with the effect switched off has exactly the same events plus the ones
the programme prevented: the counterfactual is known, not estimated. Derived records go with their
cause (a prevented offence takes its conviction and custody with it; a prevented looked-after start
takes its DfE episode with it).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from famlink.synth.config import SynthConfig
from famlink.synth.events import Events, Spells
from famlink.synth.history import History
from famlink.synth.outcomes import Justice

SOCIAL_EFFECTS = {"lac_start": "looked_after", "cpp_start": "child_protection", "cin_start": "child_in_need"}


def _prevented(u: np.ndarray, after: np.ndarray, effect: float) -> np.ndarray:
    return after & (u < -effect)


def apply_effects(
    rng: np.random.Generator, hist: History, start: np.ndarray, config: SynthConfig
) -> tuple[History, dict[str, int]]:
    """Return the treated history and how many events each effect removed (for truth/effects.json)."""
    removed: dict[str, int] = {}
    social, social_drop = _thin_social(rng, hist.social, start, config, removed)
    care = hist.care.take(~social_drop[hist.care_rows])
    crime, justice = _thin_justice(rng, hist.crime, hist.justice, start, config, removed)
    excl = hist.exclusions
    drop = _prevented(rng.random(len(excl)), excl.day >= start[excl.person], config.effect("exclusion"))
    removed["exclusion"] = int(drop.sum())
    benefits = hist.benefits
    drop_b = _prevented(
        rng.random(len(benefits)),
        benefits.start >= start[benefits.person],
        config.effect("out_of_work_benefit"),
    )
    removed["out_of_work_benefit"] = int(drop_b.sum())
    att = hist.attendance
    after = att.term_start >= start[att.person]
    keep_share = np.where(after, 1 + config.effect("school_absence"), 1.0)
    missed = rng.binomial(att.missed, keep_share).astype(np.int16)
    removed["school_absence"] = int((att.missed - missed).sum())
    treated = replace(
        hist,
        social=social,
        care=care,
        care_rows=hist.care_rows[~social_drop[hist.care_rows]],
        crime=crime,
        justice=justice,
        exclusions=excl.take(~drop),
        benefits=_take(benefits, ~drop_b),
        attendance=replace(att, missed=missed),
    )
    return treated, removed


def _take(spells: Spells, keep: np.ndarray) -> Spells:
    return spells.take(keep)


def _thin_social(
    rng: np.random.Generator, social: Events, start: np.ndarray, config: SynthConfig, removed: dict[str, int]
) -> tuple[Events, np.ndarray]:
    u = rng.random(len(social))
    after = social.day >= start[social.person]
    drop = np.zeros(len(social), bool)
    for event, outcome in SOCIAL_EFFECTS.items():
        kind_drop = _prevented(u, after & (social.kind == social.code(event)), config.effect(outcome))
        removed[outcome] = int(kind_drop.sum())
        drop |= kind_drop
    return social.take(~drop), drop


def _thin_justice(
    rng: np.random.Generator,
    crime: Events,
    justice: Justice,
    start: np.ndarray,
    config: SynthConfig,
    removed: dict[str, int],
) -> tuple[Events, Justice]:
    """Offences first (with everything that followed them), then convictions, then custody."""
    offence_rows = np.flatnonzero(crime.kind == crime.code("offence"))
    u_offence = rng.random(len(offence_rows))
    offence_after = crime.day[offence_rows] >= start[crime.person[offence_rows]]
    offence_drop = _prevented(u_offence, offence_after, config.effect("offence"))
    removed["offence"] = int(offence_drop.sum())
    crime_drop = np.zeros(len(crime), bool)
    crime_drop[offence_rows[offence_drop]] = True
    n_offences = len(offence_rows)
    u_conv, u_cust = rng.random(n_offences), rng.random(n_offences)
    kind, juvenile, off = justice.kind, justice.juvenile, justice.offence
    after = justice.day >= start[justice.person]
    conviction_effect = np.where(
        juvenile, config.effect("juvenile_conviction"), config.effect("adult_conviction")
    )
    custody_effect = np.where(juvenile, config.effect("juvenile_custody"), config.effect("adult_custody"))
    conv_drop_by_offence = np.zeros(n_offences, bool)
    is_conv = (kind == 2) & after
    conv_drop = is_conv & (u_conv[off] < -conviction_effect)
    conv_drop_by_offence[off[conv_drop]] = True
    custody_keep = np.minimum(1.0, (1 + custody_effect) / np.maximum(1 + conviction_effect, 1e-9))
    is_cust = (kind == 3) & after
    cust_drop = is_cust & ~conv_drop_by_offence[off] & (u_cust[off] >= custody_keep)
    removed["juvenile_conviction"] = int((conv_drop & juvenile).sum())
    removed["adult_conviction"] = int((conv_drop & ~juvenile).sum())
    all_custody_drop = is_cust & (conv_drop_by_offence[off] | cust_drop)
    removed["juvenile_custody"] = int((all_custody_drop & juvenile).sum())
    removed["adult_custody"] = int((all_custody_drop & ~juvenile).sum())
    drop = offence_drop[off] | (kind >= 2) & conv_drop_by_offence[off] | cust_drop
    return crime.take(~crime_drop), justice.take(~drop)
