"""Per-source identifier errors, applied column-wise.

Rates come from `ErrorRates` (see /work/shared/reference/identifier-errors.md): nicknames where a
person was recorded by someone who heard the name (council, police), typos, phonetic variants,
swapped names, day/month transposition, wrong or missing dates, postcode typos that still look like
postcodes, missing identifiers, and now and then another person's valid identifier. Every count of
what was changed is returned, so world.json can state the realised rates next to the configured ones.
Whole-column work stays in Arrow; only the small subsets that need per-row positions go to NumPy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from famlink.synth.config import ErrorRates
from famlink.synth.text import SDT, join, replace_rows, to_numpy, where

_LOWER = np.array(list("abcdefghijklmnopqrstuvwxyz"), dtype=SDT)
_SAFE_POSTCODE_LETTERS = np.array(list("ABDEFGHLNPRSTUWY"), dtype=SDT)
_DIGITS = np.array(list("0123456789"), dtype=SDT)


@dataclass
class CleanRecords:
    """True values as one source would hold them before errors (null = not held)."""

    first: pa.Array
    middle: pa.Array
    surname: pa.Array
    sex: pa.Array
    dob: np.ndarray
    postcode: pa.Array
    address: pa.Array
    nhs: pa.Array
    nino: pa.Array
    upn: pa.Array
    nickname: pa.Array
    phonetic: pa.Array
    previous_surname: pa.Array


def corrupt(
    rng: np.random.Generator, rec: CleanRecords, rates: ErrorRates
) -> tuple[dict[str, pa.Array], dict[str, int]]:
    """Return person-schema columns (without record_id) and counts of each error applied."""
    n = len(rec.first)
    counts: dict[str, int] = {"records": n}
    first = _replace(rng, rec.first, rec.nickname, rates.nickname, counts, "nickname")
    first = _replace(rng, first, rec.phonetic, rates.phonetic_variant, counts, "phonetic_variant")
    surname = _previous_surnames(rng, rec, rates.previous_surname, counts)
    surname = _hyphen_variants(rng, surname, rates.hyphen_variant, counts)
    first = _typos(rng, first, rates.name_typo, counts, "first_name_typo")
    surname = _typos(rng, surname, rates.name_typo, counts, "surname_typo")
    swap = rng.random(n) < rates.name_swap
    first, surname = where(swap, surname, first), where(swap, first, surname)
    counts["name_swap"] = int(swap.sum())
    middle = rec.middle
    if rates.upper_case:
        first, middle, surname = pc.utf8_upper(first), pc.utf8_upper(middle), pc.utf8_upper(surname)
    postcode = _postcodes(rng, rec.postcode, rates, counts)
    columns = {
        "first_name": first,
        "middle_names": middle,
        "surname": surname,
        "sex": rec.sex,
        "date_of_birth": _dates(rng, rec.dob, rates, counts),
        "postcode": postcode,
        "address": where(np.asarray(pc.is_null(postcode)), None, rec.address),
    }
    for column, values, missing in (
        ("nhs_number", rec.nhs, rates.nhs_missing),
        ("nino", rec.nino, rates.nino_missing),
        ("upn", rec.upn, rates.upn_missing),
    ):
        columns[column] = _identifier(rng, values, missing, rates.wrong_identifier, counts, column)
    return columns, counts


def _held(values: pa.Array) -> np.ndarray:
    return np.asarray(pc.is_valid(values))


def _replace(
    rng: np.random.Generator,
    values: pa.Array,
    alternative: pa.Array,
    rate: float,
    counts: dict[str, int],
    name: str,
) -> pa.Array:
    """Use the alternative for a share `rate` of ALL records, drawn from those that have one."""
    differs = np.asarray(pc.fill_null(pc.not_equal(alternative, values), False))
    conditional = min(1.0, rate * len(values) / max(int(differs.sum()), 1))
    use = (rng.random(len(values)) < conditional) & differs
    counts[name] = int(use.sum())
    return where(use, alternative, values)


def _previous_surnames(
    rng: np.random.Generator, rec: CleanRecords, rate: float, counts: dict[str, int]
) -> pa.Array:
    """A share `rate` of the people who changed surname are recorded under the earlier one."""
    had = np.asarray(pc.fill_null(pc.not_equal(rec.previous_surname, rec.surname), False))
    use = had & (rng.random(len(had)) < rate)
    counts.update(previous_surname=int(use.sum()), previous_surname_held=int(had.sum()))
    return where(use, rec.previous_surname, rec.surname)


def _hyphen_variants(
    rng: np.random.Generator, surname: pa.Array, rate: float, counts: dict[str, int]
) -> pa.Array:
    """A double-barrelled surname recorded as its first part, with a space, or run together."""
    double = np.asarray(pc.fill_null(pc.match_substring(surname, "-"), False))
    rows = np.flatnonzero(double & (rng.random(len(surname)) < rate))
    counts["hyphen_variant"] = len(rows)
    counts["hyphenated_surnames"] = int(double.sum())
    text = to_numpy(surname.take(pa.array(rows)))
    style = rng.integers(0, 3, len(rows))
    cut = np.strings.find(text, "-")
    first_part = np.strings.slice(text, np.zeros_like(cut), cut)
    variant = np.where(
        style == 0,
        first_part,
        np.where(style == 1, np.strings.replace(text, "-", " "), np.strings.replace(text, "-", "")),
    )
    return replace_rows(surname, rows, variant)


def _typos(
    rng: np.random.Generator, values: pa.Array, rate: float, counts: dict[str, int], name: str
) -> pa.Array:
    """One edit (delete, insert, substitute or transpose) at a random position after the first."""
    long_enough = np.asarray(pc.fill_null(pc.greater_equal(pc.utf8_length(values), 2), False))
    rows = np.flatnonzero((rng.random(len(values)) < rate) & long_enough)
    counts[name] = len(rows)
    text = to_numpy(values.take(pa.array(rows)))
    length = np.strings.str_len(text)
    pos = (rng.random(len(rows)) * (length - 1)).astype(np.int64) + 1
    letter = _LOWER[rng.integers(0, 26, len(rows))]
    head, tail = np.strings.slice(text, 0, pos), np.strings.slice(text, pos + 1, length)
    here = np.strings.slice(text, pos, pos + 1)
    before, prev = np.strings.slice(text, 0, pos - 1), np.strings.slice(text, pos - 1, pos)
    kind = rng.integers(0, 4, len(rows))
    edits = (
        np.strings.add(head, tail),
        np.strings.add(np.strings.add(head, letter), np.strings.add(here, tail)),
        np.strings.add(np.strings.add(head, letter), tail),
        np.strings.add(np.strings.add(before, np.strings.add(here, prev)), tail),
    )
    edited = np.where(
        kind == 0, edits[0], np.where(kind == 1, edits[1], np.where(kind == 2, edits[2], edits[3]))
    )
    return replace_rows(values, rows, edited)


def _dates(rng: np.random.Generator, dob: np.ndarray, rates: ErrorRates, counts: dict[str, int]) -> pa.Array:
    """ISO dates (or DD/MM/YYYY in some councils' exports), with wrong, swapped or missing ones."""
    n = len(dob)
    wrong = rng.random(n) < rates.dob_wrong
    shift = np.where(rng.random(n) < 0.5, rng.integers(1, 40, n), 365 * rng.integers(-2, 3, n) + 1)
    recorded = np.where(wrong, dob + shift.astype("timedelta64[D]"), dob)
    text = pc.cast(pa.array(recorded, type=pa.date32()), pa.string())
    year, month, day = (pc.utf8_slice_codeunits(text, a, b) for a, b in ((0, 4), (5, 7), (8, 10)))
    day_number = (recorded - recorded.astype("datetime64[M]")).astype(np.int64) + 1
    month_number = recorded.astype("datetime64[M]").astype(np.int64) % 12 + 1
    swap = (day_number <= 12) & (day_number != month_number) & (rng.random(n) < rates.dob_day_month_swap)
    month, day = where(swap, day, month), where(swap, month, day)
    british = rng.random(n) < rates.dob_other_format
    text = where(british, join(day, "/", month, "/", year), join(year, "-", month, "-", day))
    missing = rng.random(n) < rates.dob_missing
    counts.update(
        dob_swappable=int(((day_number <= 12) & (day_number != month_number)).sum()),
        dob_wrong=int((wrong & ~missing).sum()),
        dob_day_month_swap=int((swap & ~missing).sum()),
        dob_missing=int(missing.sum()),
        dob_other_format=int((british & ~missing).sum()),
    )
    return where(missing, None, text)


def _postcodes(
    rng: np.random.Generator, postcode: pa.Array, rates: ErrorRates, counts: dict[str, int]
) -> pa.Array:
    """A typo swaps one inward character for another of its class, so the result still looks valid."""
    n = len(postcode)
    held = _held(postcode)
    rows = np.flatnonzero((rng.random(n) < rates.postcode_typo) & held)
    text = to_numpy(postcode.take(pa.array(rows)))
    length = np.strings.str_len(text)
    pos = (length - 1 - rng.integers(0, 3, len(rows))).astype(np.int64)
    here = np.strings.slice(text, pos, pos + 1)
    replacement = np.where(
        np.strings.isdigit(here),
        _DIGITS[rng.integers(0, 10, len(rows))],
        _SAFE_POSTCODE_LETTERS[rng.integers(0, len(_SAFE_POSTCODE_LETTERS), len(rows))],
    )
    edited = np.strings.add(
        np.strings.add(np.strings.slice(text, 0, pos), replacement), np.strings.slice(text, pos + 1, length)
    )
    out = replace_rows(postcode, rows, edited)
    missing = held & (rng.random(n) < rates.postcode_missing)
    typo = np.zeros(n, bool)
    typo[rows] = True
    counts.update(postcode_typo=int((typo & ~missing).sum()), postcode_missing=int(missing.sum()))
    return where(missing, None, out)


def _identifier(
    rng: np.random.Generator,
    values: pa.Array,
    missing_rate: float,
    wrong_rate: float,
    counts: dict[str, int],
    column: str,
) -> pa.Array:
    """Missing, or (rarely) another person's valid identifier from the same source."""
    n = len(values)
    held = _held(values)
    wrong = held & (rng.random(n) < wrong_rate)
    donors = np.flatnonzero(held)
    out = values
    if len(donors) > 1 and wrong.any():
        donor = donors[rng.integers(0, len(donors), int(wrong.sum()))]
        rows = np.flatnonzero(wrong)
        out = replace_rows(values, rows, values.take(pa.array(donor)))
        wrong &= np.asarray(pc.fill_null(pc.not_equal(out, values), False))
    missing = held & (rng.random(n) < missing_rate)
    counts[f"{column}_held"] = int(held.sum())
    counts[f"{column}_missing"] = int(missing.sum())
    counts[f"{column}_wrong"] = int((wrong & ~missing).sum())
    return where(missing, None, out)
