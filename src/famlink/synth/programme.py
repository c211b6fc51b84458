"""The programme: assessment, eligibility, who joins when, who objects, and what joining changed.

Problems at assessment are read from the truth histories of the year before the assessment, the way
a council reads its own multi-agency data. Eligible families (two or more problems) are ranked on
observed characteristics (more problems, lone parent, deprivation, larger families join sooner;
minority-ethnic families less often) plus noise: the top share joins, the next waits and joins
later, the rest never join. Because the ranking uses characteristics that also predict outcomes,
a naive comparison of joiners with everyone else is biased, as it was in the real evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from famlink.synth.events import Events
from famlink.synth.history import History
from famlink.synth.households import LONE, Families, People

PROBLEMS = ("crime_asb", "school", "children_need_help", "worklessness", "domestic_abuse", "health")
JOINED, WAITING, NEVER, NOT_ASSESSED = 0, 1, 2, -1
STATUS_NAMES = ("joined", "waiting", "never")
NAT = np.datetime64("NaT", "D")


@dataclass
class Programme:
    assessed: np.ndarray
    problems: np.ndarray
    eligible: np.ndarray
    status: np.ndarray
    waiting_list: np.ndarray
    start: np.ndarray


def assessment_dates(rng: np.random.Generator, fam: Families) -> np.ndarray:
    """Programme families are assessed between January 2015 and March 2020."""
    first, last = np.datetime64("2015-01-01"), np.datetime64("2020-03-31")
    days = rng.integers(0, int((last - first).astype(int)), len(fam))
    return np.where(fam.programme, first + days.astype("timedelta64[D]"), NAT)


def _flag(fam_count: int, family: np.ndarray, day: np.ndarray, assessed: np.ndarray) -> np.ndarray:
    """Families with at least one of these events in the 365 days before their assessment."""
    when = assessed[family]
    inside = (day < when) & (day >= when - np.timedelta64(365, "D"))
    return np.bincount(family[inside], minlength=fam_count) > 0


def problems_at_assessment(fam: Families, people: People, hist: History, assessed: np.ndarray) -> np.ndarray:
    """A families × 6 boolean matrix of the headline problems (see PROBLEMS)."""
    n, f = len(fam), people.family

    def from_events(events: Events) -> np.ndarray:
        return _flag(n, f[events.person], events.day, assessed)

    att = hist.attendance
    absent = (att.missed >= 0.1 * att.possible) | (att.exclusions >= 2)
    school = _flag(n, f[att.person[absent]], att.term_start[absent], assessed)
    claims = hist.benefits
    open_at = (claims.start < assessed[f[claims.person]]) & ~(
        claims.end < assessed[f[claims.person]] - np.timedelta64(365, "D")
    )
    workless = np.bincount(f[claims.person[open_at]], minlength=n) > 0
    columns = [
        from_events(hist.crime),
        school,
        from_events(hist.social),
        workless | from_events(hist.debt),
        from_events(hist.abuse),
        from_events(hist.health),
    ]
    return np.column_stack(columns) & fam.programme[:, None]


def decide_status(
    rng: np.random.Generator, fam: Families, problems: np.ndarray, join_share: float, wait_share: float
) -> tuple[np.ndarray, np.ndarray]:
    """(eligible, status): rank eligible families on observed characteristics plus noise."""
    count = problems.sum(axis=1)
    eligible = fam.programme & (count >= 2)
    minority = fam.group != 0
    score = (
        0.45 * count
        + 0.35 * (fam.kind == LONE)
        + 0.08 * (10 - fam.imd_decile)
        + 0.25 * (fam.n_children >= 3)
        - 0.3 * minority
        + rng.logistic(0, 1, len(fam))
    )
    status = np.where(fam.programme, NEVER, NOT_ASSESSED).astype(np.int8)
    rows = np.flatnonzero(eligible)
    ranked = rows[np.argsort(-score[rows], kind="stable")]
    joined = round(join_share * len(rows))
    waiting = round(wait_share * len(rows))
    status[ranked[:joined]] = JOINED
    status[ranked[joined : joined + waiting]] = WAITING
    return eligible, status


def start_dates(
    rng: np.random.Generator, status: np.ndarray, assessed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(waiting_list_date, start_date): joiners start within 3 months; waiting families 24–36 later.

    The wait is at least two years so that families awaiting a place are an uncontaminated comparison
    for every outcome window up to 24 months after the pseudo-start, as in the 2019 evaluation.
    """
    n = len(status)
    joined_start = assessed + rng.integers(7, 90, n).astype("timedelta64[D]")
    listed = assessed + rng.integers(0, 30, n).astype("timedelta64[D]")
    later_start = listed + rng.integers(730, 1096, n).astype("timedelta64[D]")
    start = np.where(status == JOINED, joined_start, np.where(status == WAITING, later_start, NAT))
    waiting_list = np.where(status == WAITING, listed, NAT)
    return waiting_list.astype("datetime64[D]"), start.astype("datetime64[D]")


def run_programme(
    rng: np.random.Generator,
    fam: Families,
    people: People,
    hist: History,
    join_share: float,
    wait_share: float,
) -> Programme:
    assessed = assessment_dates(rng, fam)
    problems = problems_at_assessment(fam, people, hist, assessed)
    eligible, status = decide_status(rng, fam, problems, join_share, wait_share)
    waiting_list, start = start_dates(rng, status, assessed)
    return Programme(assessed, problems, eligible, status, waiting_list, start)


@dataclass
class Objections:
    """Families who objected to research sharing, and when (a parent objects for the family)."""

    family: np.ndarray
    day: np.ndarray
    channel: np.ndarray


CHANNELS = ("letter", "email", "phone", "in_person")


def draw_objections(rng: np.random.Generator, fam: Families, prog: Programme, rate: float) -> Objections:
    objecting = np.flatnonzero(fam.programme & (rng.random(len(fam)) < rate))
    day = prog.assessed[objecting] + rng.integers(0, 720, len(objecting)).astype("timedelta64[D]")
    channel = rng.integers(0, len(CHANNELS), len(objecting)).astype(np.int8)
    return Objections(objecting, np.minimum(day, np.datetime64("2022-12-31")), channel)
