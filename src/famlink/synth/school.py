"""School histories: termly attendance, exclusions and key-stage attainment for school-age children.

Absence is the programme's most common problem ("missing 10% or more of sessions"), so each child's
absence rate is a logistic function of need with a per-term wobble; exclusions and attainment follow
need too. Academic year 2012 means 2012/13; terms start in September, January and April.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from famlink.synth.events import Events
from famlink.synth.households import People

ACADEMIC_YEARS = np.arange(2012, 2022)
TERM_OFFSETS = (("09-01", 0, 133), ("01-06", 1, 124), ("04-20", 1, 123))
_YEAR = 365.25


@dataclass
class Attendance:
    """One row per child per term: academic_year, term (1..3), term_start, sessions, exclusions."""

    person: np.ndarray
    academic_year: np.ndarray
    term: np.ndarray
    term_start: np.ndarray
    possible: np.ndarray
    missed: np.ndarray
    exclusions: np.ndarray

    def __len__(self) -> int:
        return len(self.person)


def term_starts() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """All terms in the window: (academic_year, term, start day, sessions possible)."""
    years, terms, starts, possible = [], [], [], []
    for year in ACADEMIC_YEARS:
        for term, (month_day, shift, sessions) in enumerate(TERM_OFFSETS, start=1):
            years.append(year)
            terms.append(term)
            starts.append(np.datetime64(f"{year + shift}-{month_day}"))
            possible.append(sessions)
    return np.array(years), np.array(terms), np.array(starts, dtype="datetime64[D]"), np.array(possible)


def school_age_on(people: People, day: np.ndarray) -> np.ndarray:
    """Age in whole years on 31 August before `day` decides the school year (reception at 4)."""
    age = (day[None, :] - people.dob[:, None]).astype(np.int64) / _YEAR
    return (age >= 4.9) & (age < 16.0)


def attendance(rng: np.random.Generator, people: People, need: np.ndarray) -> Attendance:
    """Termly attendance for every child of compulsory school age in each term."""
    years, terms, starts, possible = term_starts()
    in_school = school_age_on(people, starts)
    person, term_index = np.nonzero(in_school)
    n = len(person)
    base_logit = -3.1 + 0.9 * need[person]
    rate = expit(base_logit + 0.35 * rng.standard_normal(n))
    sessions = possible[term_index] - rng.integers(0, 4, n)
    missed = rng.binomial(sessions, rate)
    exclusions = rng.poisson(0.012 * np.exp(1.2 * need[person]))
    return Attendance(
        person,
        years[term_index].astype(np.int16),
        terms[term_index].astype(np.int8),
        starts[term_index],
        sessions.astype(np.int16),
        missed.astype(np.int16),
        exclusions.astype(np.int16),
    )


def exclusion_events(rng: np.random.Generator, att: Attendance, need: np.ndarray) -> Events:
    """Dated fixed-period exclusions (from the termly counts) and rare permanent exclusions."""
    fixed_rows = np.repeat(np.arange(len(att)), att.exclusions)
    permanent_rows = np.flatnonzero(rng.random(len(att)) < 0.0006 * np.exp(need[att.person]))
    rows = np.concatenate([fixed_rows, permanent_rows])
    kind = np.r_[np.zeros(len(fixed_rows), np.int8), np.ones(len(permanent_rows), np.int8)]
    day = att.term_start[rows] + rng.integers(3, 80, len(rows)).astype("timedelta64[D]")
    events = Events(att.person[rows], day, kind, ("fixed", "permanent"))
    return events.take(np.lexsort((events.kind, events.day, events.person)))


@dataclass
class Attainment:
    person: np.ndarray
    key_stage: np.ndarray
    year: np.ndarray
    score: np.ndarray


def attainment(rng: np.random.Generator, people: People, need: np.ndarray) -> Attainment:
    """KS2 (scaled score 80–120) in the summer a child is 11; KS4 (Attainment 8, 0–90) at 16."""
    birth_year = people.dob.astype("datetime64[Y]").astype(np.int64) + 1970
    late_born = (people.dob - people.dob.astype("datetime64[Y]")).astype(np.int64) >= 243
    cohort = birth_year + late_born
    persons, stages, years, scores = [], [], [], []
    for stage, age, mean, slope, spread, low, high in (
        (2, 11, 104, -3.0, 6, 80, 120),
        (4, 16, 46, -8, 15, 0, 90),
    ):
        year = cohort + age
        ok = (year >= 2013) & (year <= 2022) & ~np.isin(year, (2020, 2021)) & (people.role == 1)
        who = np.flatnonzero(ok)
        score = np.clip(np.round(rng.normal(mean + slope * need[who], spread)), low, high)
        persons.append(who)
        stages.append(np.full(len(who), stage, np.int8))
        years.append(year[who].astype(np.int16))
        scores.append(score.astype(np.int16))
    return Attainment(
        np.concatenate(persons), np.concatenate(stages), np.concatenate(years), np.concatenate(scores)
    )
