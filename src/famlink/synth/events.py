"""Truth histories, 2012–2022: what actually happened to each person, before any source records it.

Every rate rises with the family's latent need (plus a persistent personal component), so problems
cluster in families, programme families have more of them, and the problems a council sees at
assessment predict later outcomes (which is what makes naive comparisons biased). Events are drawn
as Poisson counts over each person's age-eligible exposure window, with uniform dates inside it:
vectorised, and exact for constant rates. Sources (council, DWP, MoJ, DfE) are views of these
streams, so the same offence appears in police data and in MoJ's, each with its own identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from famlink.synth.households import CHILD, FEMALE, MALE, PARENT, People
from famlink.synth.places import WINDOW_END, WINDOW_START

_MONTH = 30.44
_YEAR = 365.25


@dataclass(frozen=True)
class Kind:
    """One event kind: who is exposed (ages, sexes, roles), the base monthly rate and need slope."""

    name: str
    min_age: float
    max_age: float
    rate: float
    need_slope: float = 1.0
    male: float = 1.0
    female: float = 1.0
    parents_only: bool = False


CRIME = (Kind("offence", 10, 80, 0.0035, 1.1, male=1.6, female=0.4), Kind("asb", 10, 80, 0.003, 1.0))
SOCIAL = (
    Kind("contact", 0, 18, 0.004, 1.0),
    Kind("referral", 0, 18, 0.002, 1.1),
    Kind("cin_start", 0, 18, 0.0005, 1.2),
    Kind("cpp_start", 0, 18, 0.00018, 1.3),
    Kind("lac_start", 0, 18, 0.00014, 1.4),
)
ABUSE = (
    Kind("victim", 16, 80, 0.0025, 1.1, male=0.3, female=1.7),
    Kind("perpetrator", 16, 80, 0.002, 1.1, male=1.7, female=0.3),
)
HOUSING = (
    Kind("rent_arrears", 18, 90, 0.0016, 0.9, parents_only=True),
    Kind("eviction_risk", 18, 90, 0.0005, 1.0, parents_only=True),
    Kind("homeless", 18, 90, 0.00015, 1.1, parents_only=True),
)
DEBT = (
    Kind("problem_debt", 18, 90, 0.002, 0.9),
    Kind("council_tax_arrears", 18, 90, 0.0016, 0.9, parents_only=True),
    Kind("neet", 16, 19, 0.006, 1.0),
)
HEALTH = (
    Kind("mental_health", 12, 90, 0.0025, 0.9),
    Kind("substance_misuse", 14, 90, 0.001, 1.1),
    Kind("accidents", 0, 18, 0.002, 0.8),
)
BENEFIT = Kind("benefit", 18, 66, 0.004, 0.9)
EMPLOYMENT = Kind("employment", 16, 66, 0.006, -0.6)


@dataclass
class Events:
    """A stream of dated events: person (row in People), day, kind (index into `names`)."""

    person: np.ndarray
    day: np.ndarray
    kind: np.ndarray
    names: tuple[str, ...]

    def take(self, keep: np.ndarray) -> Events:
        return Events(self.person[keep], self.day[keep], self.kind[keep], self.names)

    def code(self, name: str) -> int:
        return self.names.index(name)

    def __len__(self) -> int:
        return len(self.person)


@dataclass
class Spells:
    """Periods (benefit claims, jobs, care episodes): start and end (NaT while still open)."""

    person: np.ndarray
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    names: tuple[str, ...]

    def take(self, keep: np.ndarray) -> Spells:
        return Spells(self.person[keep], self.start[keep], self.end[keep], self.kind[keep], self.names)

    def __len__(self) -> int:
        return len(self.person)


def person_need(rng: np.random.Generator, people: People, family_need: np.ndarray) -> np.ndarray:
    """Family need plus a persistent personal component (siblings differ, but not by much)."""
    return family_need[people.family] + 0.5 * rng.standard_normal(len(people))


def draw_events(
    rng: np.random.Generator, people: People, need: np.ndarray, kinds: tuple[Kind, ...]
) -> Events:
    """Poisson events per kind over each person's exposure window; sorted by person then day."""
    persons, days, codes = [], [], []
    for code, kind in enumerate(kinds):
        start, end = exposure(people, kind)
        months = np.maximum((end - start).astype(np.int64), 0) / _MONTH
        sex_factor = np.where(people.sex == MALE, kind.male, np.where(people.sex == FEMALE, kind.female, 1.0))
        rate = kind.rate * sex_factor * np.exp(kind.need_slope * need)
        if kind.parents_only:
            rate = np.where(people.role == PARENT, rate, 0.0)
        counts = rng.poisson(rate * months)
        who = np.repeat(np.arange(len(people)), counts)
        span = (end - start).astype(np.int64)[who]
        persons.append(who)
        days.append(start[who] + (rng.random(len(who)) * span).astype("timedelta64[D]"))
        codes.append(np.full(len(who), code, dtype=np.int8))
    events = Events(
        np.concatenate(persons), np.concatenate(days), np.concatenate(codes), tuple(k.name for k in kinds)
    )
    return events.take(np.lexsort((events.kind, events.day, events.person)))


def exposure(people: People, kind: Kind) -> tuple[np.ndarray, np.ndarray]:
    """The part of 2012–2022 in which each person is of the kind's age."""
    lower = people.dob + np.timedelta64(int(kind.min_age * _YEAR), "D")
    upper = people.dob + np.timedelta64(int(kind.max_age * _YEAR), "D")
    return np.maximum(lower, WINDOW_START), np.minimum(upper, WINDOW_END)


def age_on(people: People, person: np.ndarray, day: np.ndarray) -> np.ndarray:
    return (day - people.dob[person]).astype(np.int64) / _YEAR


def draw_spells(
    rng: np.random.Generator,
    people: People,
    need: np.ndarray,
    kind: Kind,
    mean_months: float,
    duration_need: float,
) -> Spells:
    """Spells starting as Poisson events, lasting an exponential time that grows with need."""
    events = draw_events(rng, people, need, (kind,))
    mean = mean_months * _MONTH * np.exp(duration_need * need[events.person])
    end = events.day + (rng.exponential(1.0, len(events)) * mean + 14).astype("timedelta64[D]")
    end = np.where(end > WINDOW_END, np.datetime64("NaT"), end)
    return Spells(events.person, events.day, end.astype("datetime64[D]"), events.kind, events.names)


def benefit_spells(rng: np.random.Generator, people: People, need: np.ndarray) -> Spells:
    """Out-of-work benefit claims; Universal Credit replaces JSA/ESA/IS for most claims from 2018."""
    spells = draw_spells(rng, people, need, BENEFIT, 8.0, 0.3)
    legacy = rng.choice(3, len(spells), p=[0.45, 0.3, 0.25])
    uc_era = spells.start >= np.datetime64("2018-01-01")
    universal = uc_era & (rng.random(len(spells)) < 0.85)
    kind = np.where(universal, 3, legacy).astype(np.int8)
    return Spells(spells.person, spells.start, spells.end, kind, ("JSA", "ESA", "IS", "UC"))


def employment_spells(rng: np.random.Generator, people: People, need: np.ndarray) -> Spells:
    return draw_spells(rng, people, need, EMPLOYMENT, 20.0, -0.3)


def children_only(people: People) -> np.ndarray:
    return people.role == CHILD
