"""One council's slice of the world: its families, people, truth identifiers, histories and programme.

The world is generated one council at a time (programme families plus the background population of
the same area), which bounds memory at national scale and gives the progress bar its steps. Every
random draw comes from a stream named after its purpose and seeded by (world seed, council), so a
council's slice does not depend on how many councils came before it.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from famlink.synth.config import SynthConfig
from famlink.synth.corrupt import CleanRecords
from famlink.synth.effects import apply_effects
from famlink.synth.history import History, draw_history
from famlink.synth.households import Families, People, build_families, build_people
from famlink.synth.ids import NINO_PREFIXES, format_nhs, ninos, upns
from famlink.synth.namebank import name_bank
from famlink.synth.places import Homes, Streets, address_at, build_homes, build_streets
from famlink.synth.programme import Objections, Programme, draw_objections, run_programme
from famlink.synth.text import join, take, where

NINO_BY = np.datetime64("2006-12-31")


PERSON_SPACE, FAMILY_SPACE, DEPARTMENT_SPACE = 10**10, 10**9, 10**9


@dataclass
class Offsets:
    """Where this council's numbering starts in each world-wide id space.

    Each council owns an equal block of every space (people, families, NINOs, department references),
    so councils can be generated independently, in any order or in parallel, with the same result.
    """

    person: int
    family: int
    nino: int
    department: int

    @classmethod
    def for_council(cls, index: int, councils: int) -> Offsets:
        return cls(
            person=index * (PERSON_SPACE // councils),
            family=index * (FAMILY_SPACE // councils),
            nino=index * (len(NINO_PREFIXES) * 1_000_000 // councils),
            department=index * (DEPARTMENT_SPACE // councils),
        )


@dataclass
class CouncilWorld:
    code: str
    index: int
    la_code: int
    offsets: Offsets
    fam: Families
    people: People
    hist: History
    prog: Programme
    objections: Objections
    streets: Streets
    homes: Homes
    nhs: pa.Array
    nino: pa.Array
    upn: pa.Array
    removed: dict[str, int]

    def stream(self, name: str, seed: int) -> np.random.Generator:
        return council_stream(seed, self.index, name)


def council_stream(seed: int, council: int, name: str) -> np.random.Generator:
    """An independent generator for one purpose in one council (stable across runs and versions)."""
    return np.random.default_rng([seed, council, zlib.crc32(name.encode())])


def build_council(
    config: SynthConfig,
    index: int,
    programme_families: int,
    offsets: Offsets,
    nhs_numbers: np.ndarray,
    code: str,
    la_code: int,
) -> CouncilWorld:
    """Generate everything true about one council's families (before any source records it)."""

    def stream(name: str) -> np.random.Generator:
        return council_stream(config.seed, index, name)

    bank = name_bank()
    background = round(programme_families * config.background_multiplier)
    fam = build_families(stream("families"), programme_families, background, config.known_background_share)
    people = build_people(stream("people"), fam, bank, config.twin_rate, config.junior_rate)
    untreated = draw_history(stream, people, fam.need)
    prog = run_programme(
        stream("programme"), fam, people, untreated, config.eligible_join_share, config.eligible_wait_share
    )
    hist, removed = apply_effects(stream("effects"), untreated, prog.start[people.family], config)
    streets = build_streets(stream("streets"), bank, index, len(fam))
    homes = build_homes(stream("homes"), len(fam), streets, config.move_rate_per_year)
    objections = draw_objections(stream("objections"), fam, prog, config.objection_rate)
    nhs = format_nhs(_allocate_nhs(fam, people, nhs_numbers))
    adult_by_2022 = people.dob <= NINO_BY
    nino_rows = np.flatnonzero(adult_by_2022)
    nino = take(
        ninos(
            offsets.nino + np.arange(len(nino_rows)),
            config.seed,
            stream("nino").integers(0, 4, len(nino_rows)),
        ),
        _positions(nino_rows, len(people)),
    )
    pupils = np.unique(hist.attendance.person)
    birth_year = people.dob[pupils].astype("datetime64[Y]").astype(np.int64) + 1970
    upn = take(
        upns(la_code, np.arange(len(pupils)), birth_year, config.seed + index),
        _positions(pupils, len(people)),
    )
    return CouncilWorld(
        code,
        index,
        la_code,
        offsets,
        fam,
        people,
        hist,
        prog,
        objections,
        streets,
        homes,
        nhs,
        nino,
        upn,
        removed,
    )


def _positions(rows: np.ndarray, size: int) -> np.ndarray:
    """For each of `size` people, their position in `rows` (or -1): used to scatter per-row values."""
    position = np.full(size, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    return position


def _allocate_nhs(fam: Families, people: People, numbers: np.ndarray) -> np.ndarray:
    """NHS numbers from this council's share of the 999 range: programme people first, then the
    families known to the council, then everyone else, until the share runs out (0 = none)."""
    family = people.family
    priority = np.where(fam.programme[family], 0, np.where(fam.known[family], 1, 2))
    order = np.argsort(priority, kind="stable")
    out = np.zeros(len(people), dtype=np.int64)
    count = min(len(order), len(numbers))
    out[order[:count]] = numbers[:count]
    return out


SEX = pa.array(["M", "F"])


def clean_records(
    cw: CouncilWorld, rows: np.ndarray, snapshot: np.ndarray, holds: tuple[str, ...]
) -> CleanRecords:
    """The true identifiers of `rows` as a source would hold them on each row's snapshot day."""
    bank = name_bank()
    p = cw.people
    index = pa.array(rows)
    surname = take(bank.surnames, p.surname[rows])
    second = p.surname2[rows]
    surname = where(second >= 0, join(surname, "-", take(bank.surnames, second)), surname)
    address, postcode = address_at(cw.homes, cw.streets, p.family[rows], snapshot)
    none = pa.nulls(len(rows), pa.string())
    return CleanRecords(
        first=take(bank.forenames, p.first[rows]),
        middle=take(bank.forenames, p.middle[rows]),
        surname=surname,
        sex=take(SEX, p.sex[rows]),
        dob=p.dob[rows],
        postcode=postcode,
        address=address,
        nhs=cw.nhs.take(index) if "nhs" in holds else none,
        nino=cw.nino.take(index) if "nino" in holds else none,
        upn=cw.upn.take(index) if "upn" in holds else none,
        nickname=take(bank.nickname, p.first[rows]),
        phonetic=take(bank.phonetic, p.first[rows]),
        previous_surname=take(bank.surnames, p.previous_surname[rows]),
    )


def last_day(person: np.ndarray, day: np.ndarray, size: int, default: np.datetime64) -> np.ndarray:
    """Each person's latest event day (or `default` when they have none)."""
    out = np.full(size, default.astype("datetime64[D]").astype(np.int64))
    valid = ~np.isnat(day)
    np.maximum.at(out, person[valid], day[valid].astype("datetime64[D]").astype(np.int64))
    return out.astype("datetime64[D]")
