"""Where families live, and how they move: each source sees the address current when it last looked.

Why moves matter: an address is the identifier that goes stale fastest (about 7% of people move a
year, more among private renters). Each council has a fixed set of streets, each with its own
postcode, so neighbours share a postcode and families who move stay in the council's area; a source
records the address as of its own snapshot date, which is how real sources come to disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from famlink.synth.ids import POSTCODE_AREAS, POSTCODE_UNIT_LETTERS, postcodes
from famlink.synth.namebank import NameBank
from famlink.synth.text import digits, join, take, where

WINDOW_START = np.datetime64("2012-01-01")
WINDOW_END = np.datetime64("2022-12-31")
MAX_MOVES = 3


@dataclass
class Streets:
    """A council's streets: name and postcode of each."""

    name: pa.Array
    postcode: pa.Array


@dataclass
class Homes:
    """Per family: up to MAX_MOVES + 1 homes (street, house number) and the dates of the moves."""

    street: np.ndarray
    number: np.ndarray
    flat: np.ndarray
    moved_on: np.ndarray

    def slot_at(self, family: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Which home (0 = first) a family lived in on `day`."""
        return (self.moved_on[family] <= day[:, None]).sum(axis=1)


def build_streets(rng: np.random.Generator, bank: NameBank, council_index: int, families: int) -> Streets:
    """About one street per 15 families, with postcodes inside the council's postcode area."""
    count = max(40, families // 15)
    area = POSTCODE_AREAS[council_index % len(POSTCODE_AREAS)]
    district_base = 1 + 20 * (council_index // len(POSTCODE_AREAS))
    suffix_p = bank.suffix_weight / bank.suffix_weight.sum()
    names = join(
        take(bank.streets, rng.integers(0, len(bank.streets), count)),
        " ",
        take(bank.suffixes, rng.choice(len(bank.suffixes), count, p=suffix_p)),
    )
    district = district_base + rng.integers(0, 20, count)
    sector = rng.integers(0, 10, count)
    unit = rng.integers(0, len(POSTCODE_UNIT_LETTERS) ** 2, count)
    return Streets(name=names, postcode=postcodes(area, district, sector, unit))


def build_homes(rng: np.random.Generator, families: int, streets: Streets, move_rate: float) -> Homes:
    """Homes and move dates; the number of moves follows the yearly move rate (capped)."""
    slots = MAX_MOVES + 1
    street = rng.integers(0, len(streets.name), (families, slots))
    number = rng.integers(1, 240, (families, slots))
    flat = np.where(rng.random((families, slots)) < 0.12, rng.integers(1, 30, (families, slots)), 0)
    span = int((WINDOW_END - WINDOW_START).astype(int))
    moves = np.minimum(rng.poisson(move_rate * span / 365.25, families), MAX_MOVES)
    days = np.sort(rng.integers(1, span, (families, MAX_MOVES)), axis=1)
    moved_on = WINDOW_START + days.astype("timedelta64[D]")
    never = np.arange(MAX_MOVES)[None, :] >= moves[:, None]
    moved_on[never] = np.datetime64("2100-01-01")
    return Homes(street=street, number=number, flat=flat, moved_on=moved_on)


def address_at(
    homes: Homes, streets: Streets, family: np.ndarray, day: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """(address line, postcode) of each family's home on each given day."""
    slot = homes.slot_at(family, day)
    street = homes.street[family, slot]
    line = join(digits(homes.number[family, slot], 1), " ", take(streets.name, street))
    flat = homes.flat[family, slot]
    line = where(flat > 0, join("Flat ", digits(flat, 1), ", ", line), line)
    return line, take(streets.postcode, street)
