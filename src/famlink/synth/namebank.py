"""Frequency-weighted name and street lists shipped with famlink, sampled in bulk with NumPy.

The lists (data/*.csv) reflect England's diversity: White British, South Asian, Black African,
Black Caribbean and Eastern European names, each with a rough relative frequency, so that common
names collide as they do in real data (many Mohammeds, Olivias and Smiths) and linkage meets
realistic lookalikes. Names are held as indices into one pool per kind; strings appear only when a
table is built, which keeps generation vectorised.

Why the surname tail matters: the chance that two unrelated people share a full name and a birthday
grows with the sum of squared name shares. Real surnames have a long tail (Smith is about 1.4% of
White British people; tens of thousands of names share the rest), so a short list makes same-name,
same-birthday namesakes far commoner than in reality and distorts the linkage evaluation. Each
group therefore lists real names with their share per 100,000 people (surnames.csv), and the rest
of the group is shared by a tail of rarer names built from real name parts (surname_parts.csv:
English place-name compounds such as Ashworth, Polish -owski and -czyk, Romanian -escu, Yoruba
Ade-/Olu- compounds). Black Caribbean surnames are mostly anglophone, so that group's tail is the
English distribution. No surname is above 1.6% of its group except in South Asian families, where
Patel, Khan, Hussain, Ali and Ahmed (2-3.2%) are genuinely that concentrated in British data.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources
from zlib import crc32

import numpy as np
import pyarrow as pa

from famlink.synth.text import pool_array

GROUPS = ("white_british", "south_asian", "black_african", "black_caribbean", "eastern_european", "mixed")
NAME_GROUPS = GROUPS[:5]
GROUP_ETHNICITY = {
    "white_british": "White British",
    "south_asian": "Asian or Asian British",
    "black_african": "Black or Black British",
    "black_caribbean": "Black or Black British",
    "eastern_european": "White Other",
    "mixed": "Mixed",
}
PER_GROUP = 100_000  # surnames.csv weights are people per 100,000 of the group
_TAIL_FROM = {"black_caribbean": "white_british"}  # anglophone surnames: the English distribution


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("famlink.synth").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@dataclass(frozen=True)
class NameBank:
    """Pools of names with per-(group, sex) sampling tables and nickname/phonetic variants.

    `forename_key` numbers distinct forename strings (SAMUEL of two groups is one key), so family
    members can be compared by name rather than by row; `forename_next` is the next row of the same
    (group, sex) list, a deterministic way to step to a different name.
    """

    forenames: pa.Array
    forename_sex: np.ndarray
    forename_group: np.ndarray
    forename_weight: np.ndarray
    forename_key: np.ndarray
    forename_next: np.ndarray
    surnames: pa.Array
    surname_group: np.ndarray
    surname_weight: np.ndarray
    nickname: pa.Array
    phonetic: pa.Array
    streets: pa.Array
    suffixes: pa.Array
    suffix_weight: np.ndarray

    def sample_forenames(self, rng: np.random.Generator, group: np.ndarray, sex: np.ndarray) -> np.ndarray:
        """One forename index per person, drawn from the person's group and sex (sex: 0 = M, 1 = F)."""
        out = np.empty(len(group), dtype=np.int32)
        for g in range(len(NAME_GROUPS)):
            for s, letter in enumerate("MF"):
                rows = np.flatnonzero((group == g) & (sex == s))
                pool = np.flatnonzero((self.forename_group == g) & (self.forename_sex == letter))
                out[rows] = _weighted(rng, pool, self.forename_weight[pool], len(rows))
        return out

    def sample_surnames(self, rng: np.random.Generator, group: np.ndarray) -> np.ndarray:
        out = np.empty(len(group), dtype=np.int32)
        for g in range(len(NAME_GROUPS)):
            rows = np.flatnonzero(group == g)
            pool = np.flatnonzero(self.surname_group == g)
            out[rows] = _weighted(rng, pool, self.surname_weight[pool], len(rows))
        return out


def _weighted(rng: np.random.Generator, pool: np.ndarray, weight: np.ndarray, size: int) -> np.ndarray:
    if size == 0:
        return np.empty(0, dtype=np.int32)
    return rng.choice(pool, size=size, p=weight / weight.sum()).astype(np.int32)


def _variants(forenames: list[str], rows: list[dict[str, str]], kind: str) -> pa.Array:
    """The first listed variant of each forename (null when it has none)."""
    first: dict[str, str] = {}
    for row in rows:
        if row["kind"] == kind:
            first.setdefault(row["formal"], row["variant"])
    return pa.array([first.get(name) for name in forenames], type=pa.string())


def _next_in_list(group: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """For each forename row, the next row of the same (group, sex) list, wrapping round."""
    out = np.arange(len(group))
    for g in np.unique(group):
        for letter in np.unique(sex):
            rows = np.flatnonzero((group == g) & (sex == letter))
            out[rows] = np.roll(rows, -1)
    return out


def _joined(stem: str, ending: str) -> str:
    """Stem + ending, a doubled letter written once as in real names (Ash + hurst = Ashurst)."""
    return stem + (ending[1:] if stem[-1].lower() == ending[0] else ending)


def _compounds(parts: list[dict[str, str]], group: str) -> list[str]:
    """Every stem x ending of the group's rows, once each, in a fixed pseudo-random order.

    The order decides which compounds are commoner; a checksum of the name fixes it without
    depending on a random generator's stream.
    """
    names = [
        _joined(stem, ending)
        for row in parts
        if row["group"] == group
        for stem in row["stems"].split()
        for ending in row["endings"].split()
        if stem.lower() != ending
    ]
    return sorted(dict.fromkeys(names), key=lambda name: crc32(name.encode()))


def _tail_weights(mass: float, count: int, listed: int, last: float) -> np.ndarray:
    """Zipf-like weights for `count` tail names that carry `mass` in all.

    The tail continues the listed names' rank-frequency curve, weight last * (listed / rank)^s,
    with the exponent s found by bisection so the tail's total is `mass` (a tail too short to
    carry it at the last listed weight comes out flat and a little heavier).
    """
    shape = listed / (listed + np.arange(1, count + 1))
    low, high = 0.0, 8.0
    for _ in range(60):
        s = (low + high) / 2
        low, high = (s, high) if last * (shape**s).sum() > mass else (low, s)
    weight = shape**low
    return weight * (mass / weight.sum())


def _surname_weights() -> dict[str, dict[str, float]]:
    """Each group's surnames and their weight per 100,000 people: listed names, then the tail."""
    rows, parts = _read_csv("surnames.csv"), _read_csv("surname_parts.csv")
    out: dict[str, dict[str, float]] = {}
    for group in NAME_GROUPS:
        listed = {r["name"]: float(r["weight"]) for r in rows if r["group"] == group}
        mass = PER_GROUP - sum(listed.values())
        if group in _TAIL_FROM:
            source = out[_TAIL_FROM[group]]
            tail = {name: weight for name, weight in source.items() if name not in listed}
            scale = mass / sum(tail.values())
            out[group] = listed | {name: weight * scale for name, weight in tail.items()}
            continue
        names = [name for name in _compounds(parts, group) if name not in listed]
        if mass < 0 or (mass > 0 and not names):
            raise ValueError(f"surnames.csv: {group} lists {PER_GROUP - mass:.0f} per {PER_GROUP:,}")
        weights = _tail_weights(mass, len(names), len(listed), min(listed.values()))
        out[group] = listed | dict(zip(names, weights.tolist(), strict=True))
    return out


@cache
def name_bank() -> NameBank:
    """Load the shipped lists once per process."""
    fore = _read_csv("forenames.csv")
    surnames = _surname_weights()
    nick = _read_csv("nicknames.csv")
    suffix = _read_csv("street_suffixes.csv")
    names = [r["name"] for r in fore]
    sex = np.array([r["sex"] for r in fore])
    group = np.array([NAME_GROUPS.index(r["group"]) for r in fore])
    return NameBank(
        forenames=pool_array(names),
        forename_sex=sex,
        forename_group=group,
        forename_weight=np.array([float(r["weight"]) for r in fore]),
        forename_key=np.unique(names, return_inverse=True)[1].astype(np.int32),
        forename_next=_next_in_list(group, sex),
        surnames=pool_array([name for table in surnames.values() for name in table]),
        surname_group=np.repeat(np.arange(len(NAME_GROUPS)), [len(t) for t in surnames.values()]),
        surname_weight=np.array([weight for table in surnames.values() for weight in table.values()]),
        nickname=_variants(names, nick, "nickname"),
        phonetic=_variants(names, nick, "phonetic"),
        streets=pool_array([r["name"] for r in _read_csv("streets.csv")]),
        suffixes=pool_array([r["name"] for r in suffix]),
        suffix_weight=np.array([float(r["weight"]) for r in suffix]),
    )
