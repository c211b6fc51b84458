"""Frequency-weighted name and street lists shipped with famlink, sampled in bulk with NumPy.

The lists (data/*.csv) reflect England's diversity: White British, South Asian, Black African,
Black Caribbean and Eastern European names, each with a rough relative frequency, so that common
names collide as they do in real data (many Mohammeds, Olivias and Smiths) and linkage meets
realistic lookalikes. Names are held as indices into one pool per kind; strings appear only when a
table is built, which keeps generation vectorised.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

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


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("famlink.synth").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@dataclass(frozen=True)
class NameBank:
    """Pools of names with per-(group, sex) sampling tables and nickname/phonetic variants."""

    forenames: pa.Array
    forename_sex: np.ndarray
    forename_group: np.ndarray
    forename_weight: np.ndarray
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


@cache
def name_bank() -> NameBank:
    """Load the shipped lists once per process."""
    fore = _read_csv("forenames.csv")
    sur = _read_csv("surnames.csv")
    nick = _read_csv("nicknames.csv")
    suffix = _read_csv("street_suffixes.csv")
    names = [r["name"] for r in fore]
    return NameBank(
        forenames=pool_array(names),
        forename_sex=np.array([r["sex"] for r in fore]),
        forename_group=np.array([NAME_GROUPS.index(r["group"]) for r in fore]),
        forename_weight=np.array([float(r["weight"]) for r in fore]),
        surnames=pool_array([r["name"] for r in sur]),
        surname_group=np.array([NAME_GROUPS.index(r["group"]) for r in sur]),
        surname_weight=np.array([float(r["weight"]) for r in sur]),
        nickname=_variants(names, nick, "nickname"),
        phonetic=_variants(names, nick, "phonetic"),
        streets=pool_array([r["name"] for r in _read_csv("streets.csv")]),
        suffixes=pool_array([r["name"] for r in suffix]),
        suffix_weight=np.array([float(r["weight"]) for r in suffix]),
    )
