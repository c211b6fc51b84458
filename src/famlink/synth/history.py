"""All truth histories of one council's people, drawn from independent, named random streams.

Each kind of history has its own stream (seeded from the world seed, the council and the stream's
name), so changing one setting, such as the size of the programme's effect, changes only what it
should: the same people, the same families and the same untreated events, minus the events the
programme prevented.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from famlink.synth import events as ev
from famlink.synth.households import People
from famlink.synth.outcomes import Justice, care_episodes, justice_events
from famlink.synth.school import Attainment, Attendance, attainment, attendance, exclusion_events

StreamFactory = Callable[[str], np.random.Generator]


@dataclass
class History:
    need: np.ndarray
    crime: ev.Events
    social: ev.Events
    abuse: ev.Events
    housing: ev.Events
    debt: ev.Events
    health: ev.Events
    benefits: ev.Spells
    employment: ev.Spells
    justice: Justice
    care: ev.Spells
    care_rows: np.ndarray
    attendance: Attendance
    exclusions: ev.Events
    attainment: Attainment


def draw_history(stream: StreamFactory, people: People, family_need: np.ndarray) -> History:
    """Every truth history for `people`, before the programme's effect is applied."""
    need = ev.person_need(stream("need"), people, family_need)
    crime = ev.draw_events(stream("crime"), people, need, ev.CRIME)
    social = ev.draw_events(stream("social"), people, need, ev.SOCIAL)
    care, care_rows = care_episodes(stream("care"), social)
    att = attendance(stream("attendance"), people, need)
    return History(
        need=need,
        crime=crime,
        social=social,
        abuse=ev.draw_events(stream("abuse"), people, need, ev.ABUSE),
        housing=ev.draw_events(stream("housing"), people, need, ev.HOUSING),
        debt=ev.draw_events(stream("debt"), people, need, ev.DEBT),
        health=ev.draw_events(stream("health"), people, need, ev.HEALTH),
        benefits=ev.benefit_spells(stream("benefits"), people, need),
        employment=ev.employment_spells(stream("employment"), people, need),
        justice=justice_events(stream("justice"), people, crime),
        care=care,
        care_rows=care_rows,
        attendance=att,
        exclusions=exclusion_events(stream("exclusions"), att, need),
        attainment=attainment(stream("attainment"), people, need),
    )
