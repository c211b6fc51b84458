"""Families and the people in them, built for a whole council at once with NumPy.

Why households matter: linkage's hardest cases live inside one family. Members share a surname, an
address and a postcode; twins share a date of birth too; a junior shares a parent's first name; a
step-child carries another surname. No one else in a family shares a first name: parents do not
give two children (twins included) the same name. Programme families are larger and more often
lone-parent than the background population, as in the real programme (about 40% with three or more
children).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from famlink.synth.namebank import GROUPS, NAME_GROUPS, NameBank

PARENT, CHILD, OTHER_ADULT = 0, 1, 2
ROLE_NAMES = np.array(["parent", "child", "other_adult"])
LONE, COUPLE, STEP = 0, 1, 2
KIND_NAMES = np.array(["lone_parent", "couple", "step_family"])
MALE, FEMALE = 0, 1
REFERENCE_DAY = np.datetime64("2016-07-01")
LATEST_BIRTH = np.datetime64("2021-12-31")
_YEAR = 365.25

_KIND_P = {True: [0.45, 0.30, 0.25], False: [0.25, 0.62, 0.13]}
_CHILDREN_P = {True: [0.25, 0.35, 0.22, 0.11, 0.05, 0.02], False: [0.42, 0.38, 0.14, 0.05, 0.01, 0.0]}
_GROUP_P = [0.74, 0.09, 0.035, 0.03, 0.06, 0.045]
_REDRAWS = 8  # random redraws of clashing first names before the deterministic walk


@dataclass
class Families:
    """One row per family in a council chunk (programme families first, then background)."""

    programme: np.ndarray
    known: np.ndarray
    kind: np.ndarray
    group: np.ndarray
    need: np.ndarray
    imd_decile: np.ndarray
    n_children: np.ndarray
    first_person: np.ndarray
    size: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)


@dataclass
class People:
    """One row per person; `family` indexes `Families`; names are indices into the name bank."""

    family: np.ndarray
    role: np.ndarray
    sex: np.ndarray
    dob: np.ndarray
    first: np.ndarray
    middle: np.ndarray
    surname: np.ndarray
    surname2: np.ndarray
    previous_surname: np.ndarray
    twin_of: np.ndarray
    junior_of: np.ndarray
    disability: np.ndarray
    name_group: np.ndarray

    def __len__(self) -> int:
        return len(self.role)


def build_families(rng: np.random.Generator, programme: int, background: int, known_share: float) -> Families:
    """Draw family type, size, ethnicity, latent need and deprivation for one council."""
    is_prog = np.r_[np.ones(programme, bool), np.zeros(background, bool)]
    n = len(is_prog)
    kind = np.where(is_prog, _draw(rng, _KIND_P[True], n), _draw(rng, _KIND_P[False], n))
    children = 1 + np.where(is_prog, _draw(rng, _CHILDREN_P[True], n), _draw(rng, _CHILDREN_P[False], n))
    group = _draw(rng, _GROUP_P, n)
    need = np.where(is_prog, rng.normal(1.0, 0.7, n), rng.normal(-0.3, 0.9, n))
    deprivation = rng.normal(0.0, 0.8, n) + 0.6 * need
    imd = np.clip(np.ceil(10 * ndtr(-deprivation)), 1, 10).astype(np.int8)
    known = is_prog | _top_share(need[~is_prog] + rng.normal(0, 0.5, background), known_share, is_prog)
    adults = np.where(kind == LONE, 1, 2) + (rng.random(n) < 0.08)
    size = adults + children
    first = np.r_[0, np.cumsum(size)[:-1]].astype(np.int64)
    return Families(is_prog, known, kind, group, need, imd, children, first, size)


def _draw(rng: np.random.Generator, p: list[float], n: int) -> np.ndarray:
    weights = np.asarray(p, dtype=float)
    return rng.choice(len(weights), size=n, p=weights / weights.sum()).astype(np.int8)


def _top_share(score: np.ndarray, share: float, is_prog: np.ndarray) -> np.ndarray:
    """Mark the background families whose need score is in the top `share` (known to services)."""
    known = np.zeros(len(is_prog), bool)
    if len(score) and share > 0:
        cut = np.quantile(score, 1 - share)
        known[~is_prog] = score >= cut
    return known


def build_people(
    rng: np.random.Generator, fam: Families, bank: NameBank, twin_rate: float, junior_rate: float
) -> People:
    """Expand families into people: parents, an occasional other adult, then children eldest first."""
    family = np.repeat(np.arange(len(fam)), fam.size)
    position = np.arange(len(family)) - fam.first_person[family]
    n_parents = np.where(fam.kind == LONE, 1, 2)[family]
    n_adults = fam.size[family] - fam.n_children[family]
    role = np.where(position < n_parents, PARENT, np.where(position < n_adults, OTHER_ADULT, CHILD))
    child_rank = position - n_adults
    sex = _sexes(rng, fam, family, role, position)
    dob, twin_of = _birth_dates(rng, fam, family, role, position, twin_rate)
    name_group = _name_groups(rng, fam, family, role)
    first = bank.sample_forenames(rng, name_group, sex)
    middle = np.where(rng.random(len(family)) < 0.7, bank.sample_forenames(rng, name_group, sex), -1)
    junior_of = _juniors(rng, fam, family, role, sex, child_rank, junior_rate)
    first = _distinct_first_names(rng, bank, family, first, name_group, sex, junior_of)
    middle = _middle_not_first(rng, bank, first, middle.astype(np.int32), name_group, sex)
    surname, surname2, previous = _surnames(rng, fam, family, role, sex, child_rank, bank)
    for _ in range(6):  # twins and triplets (chains up to 6 children) share a surname across a step boundary
        twins = np.flatnonzero(twin_of >= 0)
        surname[twins], surname2[twins] = surname[twin_of[twins]], surname2[twin_of[twins]]
    risk = -2.6 + 0.5 * fam.need[family] + np.where(role == CHILD, 0.0, 0.4)
    disability = rng.random(len(family)) < ndtr(risk)
    return People(
        family,
        role.astype(np.int8),
        sex,
        dob,
        first,
        middle,
        surname,
        surname2,
        previous,
        twin_of,
        junior_of,
        disability,
        name_group,
    )


def _repeated_names(family: np.ndarray, key: np.ndarray, junior_of: np.ndarray) -> np.ndarray:
    """People whose first name an earlier member of their family already has.

    A junior is exempt when that earlier member is the parent they are named after. A family's
    members are consecutive rows, so comparing each row with the rows 1, 2, ... places before it
    (as many as the largest family) finds them without sorting; the farthest match is the earliest.
    """
    n = len(family)
    earliest = np.arange(n)
    for gap in range(1, int(np.bincount(family).max(initial=0))):
        later = np.arange(gap, n)
        match = later[(family[gap:] == family[:-gap]) & (key[gap:] == key[:-gap])]
        earliest[match] = match - gap
    exempt = (junior_of >= 0) & (earliest == junior_of)
    return np.flatnonzero((earliest != np.arange(n)) & ~exempt)


def _distinct_first_names(
    rng: np.random.Generator,
    bank: NameBank,
    family: np.ndarray,
    first: np.ndarray,
    name_group: np.ndarray,
    sex: np.ndarray,
    junior_of: np.ndarray,
) -> np.ndarray:
    """Juniors take their parent's first name; anyone else repeating a family name is renamed.

    Real parents do not give two children (twins included) the same first name. A few random
    redraws settle almost everyone; whoever still clashes then steps down their own name list,
    which ends because every list is longer than any family. Juniors are re-copied after each
    step in case their parent was the one renamed.
    """
    first = first.copy()
    junior = np.flatnonzero(junior_of >= 0)
    for step in range(_REDRAWS + len(bank.forenames)):
        first[junior] = first[junior_of[junior]]
        rows = _repeated_names(family, bank.forename_key[first], junior_of)
        if not len(rows):
            return first
        if step < _REDRAWS:
            first[rows] = bank.sample_forenames(rng, name_group[rows], sex[rows])
        else:
            first[rows] = bank.forename_next[first[rows]]
    raise AssertionError("first names within families did not settle")  # unreachable: lists > families


def _middle_not_first(
    rng: np.random.Generator,
    bank: NameBank,
    first: np.ndarray,
    middle: np.ndarray,
    name_group: np.ndarray,
    sex: np.ndarray,
) -> np.ndarray:
    """No one's middle name repeats their first name (JACK JACK SMITH): redraw, else drop it."""
    middle = middle.copy()
    for _ in range(_REDRAWS):
        rows = np.flatnonzero(_same_name(bank, first, middle))
        if not len(rows):
            return middle
        middle[rows] = bank.sample_forenames(rng, name_group[rows], sex[rows])
    return np.where(_same_name(bank, first, middle), -1, middle).astype(np.int32)


def _same_name(bank: NameBank, first: np.ndarray, middle: np.ndarray) -> np.ndarray:
    """True where a middle name (-1: none) is the same name as the first name."""
    return (middle >= 0) & (bank.forename_key[np.maximum(middle, 0)] == bank.forename_key[first])


def _sexes(
    rng: np.random.Generator, fam: Families, family: np.ndarray, role: np.ndarray, position: np.ndarray
) -> np.ndarray:
    lone_father = rng.random(len(fam)) < 0.1
    parent_sex = np.where(
        fam.kind[family] == LONE,
        np.where(lone_father[family], MALE, FEMALE),
        np.where(position == 0, FEMALE, MALE),
    )
    other_sex = (rng.random(len(family)) < 0.6).astype(np.int8)
    child_sex = (rng.random(len(family)) < 0.49).astype(np.int8)
    return np.where(role == PARENT, parent_sex, np.where(role == CHILD, child_sex, other_sex)).astype(np.int8)


def _birth_dates(
    rng: np.random.Generator,
    fam: Families,
    family: np.ndarray,
    role: np.ndarray,
    position: np.ndarray,
    twin_rate: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Children spaced 1–4 years apart (twins: the same day); parents and other adults older."""
    n = len(family)
    child_rank = position - (fam.size - fam.n_children)[family]
    eldest_age = np.where(fam.programme, rng.uniform(1, 17, len(fam)), rng.uniform(0, 18, len(fam)))
    eldest_days = (REFERENCE_DAY - (eldest_age * _YEAR).astype(np.int64)).astype("datetime64[D]")
    is_child = role == CHILD
    twin = is_child & (child_rank > 0) & (rng.random(n) < twin_rate)
    gap = np.where(is_child & (child_rank > 0) & ~twin, (1 + rng.gamma(2.0, 0.7, n)) * _YEAR, 0.0)
    offset = np.cumsum(gap) - np.cumsum(gap)[fam.first_person[family]]
    youngest_offset = np.zeros(len(fam))
    np.maximum.at(youngest_offset, family, np.where(is_child, offset, 0.0))
    # A family whose youngest would be born after 2021 is moved earlier as a whole, so spacing and
    # twins (the same birthday) survive.
    excess = (eldest_days + youngest_offset.astype(np.int64) - LATEST_BIRTH).astype(np.int64)
    shift = np.where(excess > 0, excess + rng.integers(0, 200, len(fam)), 0)
    eldest_days = eldest_days - shift.astype("timedelta64[D]")
    child_dob = eldest_days[family] + offset.astype(np.int64)
    mother_age = np.where(
        fam.programme, 16.5 + rng.gamma(2.0, 2.8, len(fam)), 19 + rng.gamma(3, 2.4, len(fam))
    )
    mother_dob = eldest_days - (mother_age * _YEAR).astype(np.int64)
    partner_gap = (np.clip(rng.normal(2.5, 3.0, n), -5, 12) * _YEAR).astype(np.int64)
    elder_gap = ((22 + rng.uniform(0, 10, n)) * _YEAR).astype(np.int64)
    adult_dob = mother_dob[family] - np.where(
        role == OTHER_ADULT, elder_gap, np.where((role == PARENT) & (position == 1), partner_gap, 0)
    )
    dob = np.where(is_child, child_dob, adult_dob).astype("datetime64[D]")
    twin_of = np.where(twin, np.arange(n) - 1, -1)
    return dob, twin_of


def _name_groups(rng: np.random.Generator, fam: Families, family: np.ndarray, role: np.ndarray) -> np.ndarray:
    """Name group per person: the family's group; mixed families draw per person; some anglicise."""
    mixed = GROUPS.index("mixed")
    group = fam.group[family].astype(np.int8)
    per_person = rng.integers(0, len(NAME_GROUPS), len(family)).astype(np.int8)
    group = np.where(group == mixed, per_person, group)
    anglicised = (role == CHILD) & (rng.random(len(family)) < 0.15)
    return np.where(anglicised, 0, group).astype(np.int8)


def _juniors(
    rng: np.random.Generator,
    fam: Families,
    family: np.ndarray,
    role: np.ndarray,
    sex: np.ndarray,
    child_rank: np.ndarray,
    rate: float,
) -> np.ndarray:
    """The eldest child of a parent's sex may carry that parent's first name (junior / senior)."""
    junior_of = np.full(len(family), -1, dtype=np.int64)
    chosen = rng.random(len(fam)) < rate
    for parent_sex in (MALE, FEMALE):
        parents = np.flatnonzero((role == PARENT) & (sex == parent_sex) & chosen[family])
        kids = np.flatnonzero((role == CHILD) & (sex == parent_sex))
        kids = kids[
            (fam.kind[family[kids]] == LONE) | ((parent_sex == MALE) & (fam.kind[family[kids]] == COUPLE))
        ]
        if not len(parents) or not len(kids):
            continue
        _, first_kid = np.unique(family[kids], return_index=True)
        eldest = kids[first_kid]
        parent_of_family = np.full(len(fam), -1, dtype=np.int64)
        parent_of_family[family[parents]] = parents
        parent = parent_of_family[family[eldest]]
        ok = (parent >= 0) & (junior_of[eldest] < 0) & (child_rank[eldest] >= 0)
        junior_of[eldest[ok]] = parent[ok]
    return junior_of


def _surnames(
    rng: np.random.Generator,
    fam: Families,
    family: np.ndarray,
    role: np.ndarray,
    sex: np.ndarray,
    child_rank: np.ndarray,
    bank: NameBank,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Family surname, an optional second part (double-barrelled), and an earlier surname.

    Step-families: the mother and later children carry the partner's surname; her children from
    the earlier relationship keep their father's, which she had before (her previous surname).
    Lone parents: 35% of children carry an absent father's surname.
    """
    name_group = np.where(fam.group == GROUPS.index("mixed"), 0, fam.group).astype(np.int8)
    main = bank.sample_surnames(rng, name_group)
    other = bank.sample_surnames(rng, name_group)
    maiden = bank.sample_surnames(rng, name_group)
    double = np.where(rng.random(len(fam)) < 0.03, bank.sample_surnames(rng, name_group), -1)
    earlier_kids = np.maximum(1, rng.integers(1, np.maximum(fam.n_children, 1) + 1))
    absent_father = rng.random(len(fam)) < 0.35
    f = family
    is_kid, kind = role == CHILD, fam.kind[f]
    surname = main[f].copy()
    step_child = is_kid & (kind == STEP) & (child_rank < earlier_kids[f])
    lone_father = np.zeros(len(fam), bool)
    lone_father[f[(role == PARENT) & (sex == MALE) & (kind == LONE)]] = True
    lone_child = is_kid & (kind == LONE) & absent_father[f] & ~lone_father[f]
    surname[step_child | lone_child] = other[f][step_child | lone_child]
    previous = np.full(len(f), -1, dtype=np.int32)
    mother = (role == PARENT) & (sex == FEMALE)
    previous[mother & (kind == STEP)] = other[f][mother & (kind == STEP)]
    married = mother & (kind == COUPLE) & (rng.random(len(f)) < 0.75)
    previous[married] = maiden[f][married]
    other_adult = role == OTHER_ADULT
    surname[other_adult] = maiden[f][other_adult]
    surname2 = np.where(is_kid & ~(step_child | lone_child) | (role == PARENT), double[f], -1).astype(
        np.int32
    )
    return surname.astype(np.int32), surname2, previous
