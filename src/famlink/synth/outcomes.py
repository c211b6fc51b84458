"""Outcomes derived from truth events: criminal justice disposals and children's care episodes.

Derived rather than drawn independently so the sources agree where reality would: a conviction
follows an offence, custody follows a conviction, a looked-after episode in DfE's children-in-need
data starts on the day the council's social care record says `lac_start`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from famlink.synth.events import Events, Spells, age_on
from famlink.synth.households import People
from famlink.synth.places import WINDOW_END

MOJ_KINDS = ("offence", "caution", "conviction", "custody")
CAUTION_SHARE, CONVICTION_SHARE = 0.3, 0.5
CUSTODY_SHARE = {"adult": 0.35, "juvenile": 0.2}


@dataclass
class Justice:
    """MoJ events: person, day, kind (index into MOJ_KINDS), juvenile flag, and the source offence."""

    person: np.ndarray
    day: np.ndarray
    kind: np.ndarray
    juvenile: np.ndarray
    offence: np.ndarray

    def take(self, keep: np.ndarray) -> Justice:
        return Justice(
            self.person[keep], self.day[keep], self.kind[keep], self.juvenile[keep], self.offence[keep]
        )

    def __len__(self) -> int:
        return len(self.person)


def justice_events(rng: np.random.Generator, people: People, crime: Events) -> Justice:
    """Each offence may lead to a caution or a conviction; some convictions to custody."""
    offences = crime.take(crime.kind == crime.code("offence"))
    n = len(offences)
    juvenile = age_on(people, offences.person, offences.day) < 18
    u = rng.random(n)
    caution = u < CAUTION_SHARE
    conviction = (u >= CAUTION_SHARE) & (u < CAUTION_SHARE + CONVICTION_SHARE)
    caution_day = offences.day + rng.integers(7, 60, n).astype("timedelta64[D]")
    conviction_day = offences.day + rng.integers(30, 240, n).astype("timedelta64[D]")
    custody_p = np.where(juvenile, CUSTODY_SHARE["juvenile"], CUSTODY_SHARE["adult"])
    custody = conviction & (rng.random(n) < custody_p)
    ids = np.arange(n)
    parts = [
        (ids, offences.day, 0),
        (ids[caution], caution_day[caution], 1),
        (ids[conviction], conviction_day[conviction], 2),
        (ids[custody], conviction_day[custody], 3),
    ]
    offence = np.concatenate([p[0] for p in parts])
    day = np.concatenate([p[1] for p in parts])
    kind = np.concatenate([np.full(len(p[0]), p[2], dtype=np.int8) for p in parts])
    events = Justice(offences.person[offence], day, kind, juvenile[offence], offence)
    events = events.take(events.day <= WINDOW_END)
    return events.take(np.lexsort((events.kind, events.day, events.person)))


CARE_EPISODES = {"cin_start": ("cin", 3, 24), "cpp_start": ("cpp", 4, 18), "lac_start": ("lac", 3, 40)}


def care_episodes(rng: np.random.Generator, social: Events) -> tuple[Spells, np.ndarray]:
    """Children-in-need, protection-plan and looked-after episodes from the social care starts.

    Also returns, per episode, the row of the social care event it came from, so that removing an
    event (the programme's effect) removes its episode too.
    """
    persons, starts, ends, kinds, rows = [], [], [], [], []
    for code, (event, (_, low, high)) in enumerate(CARE_EPISODES.items()):
        row = np.flatnonzero(social.kind == social.code(event))
        starts_of_kind = social.take(row)
        rows.append(row)
        months = rng.uniform(low, high, len(starts_of_kind))
        end = starts_of_kind.day + (months * 30.44).astype("timedelta64[D]")
        persons.append(starts_of_kind.person)
        starts.append(starts_of_kind.day)
        ends.append(np.where(end > WINDOW_END, np.datetime64("NaT"), end).astype("datetime64[D]"))
        kinds.append(np.full(len(end), code, dtype=np.int8))
    names = tuple(v[0] for v in CARE_EPISODES.values())
    spells = Spells(
        np.concatenate(persons), np.concatenate(starts), np.concatenate(ends), np.concatenate(kinds), names
    )
    return spells, np.concatenate(rows)
