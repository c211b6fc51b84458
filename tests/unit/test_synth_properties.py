"""Invariants of the generator's building blocks, checked on arbitrary inputs."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from famlink.synth.corrupt import _typos
from famlink.synth.households import build_families, build_people
from famlink.synth.ids import permuted
from famlink.synth.namebank import name_bank


def _one_edit_apart(a: str, b: str) -> bool:
    """True when b is a by one insertion, deletion, substitution or adjacent transposition."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


names = st.lists(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij'-", min_size=0, max_size=12), min_size=1
)


@settings(max_examples=25, deadline=None)
@given(names, st.integers(0, 2**32 - 1))
def test_a_typo_is_always_a_single_edit_that_keeps_the_first_letter_in_front(
    values: list[str], seed: int
) -> None:
    counts: dict[str, int] = {}
    out = _typos(np.random.default_rng(seed), pa.array(values), 1.0, counts, "typo").to_pylist()
    for before, after in zip(values, out, strict=True):
        assert _one_edit_apart(before, after)
        if len(before) >= 2:  # the first letter stays, or trades places with the second
            assert after[0] == before[0] or (after[:2] == before[1::-1])
    assert counts["typo"] == sum(len(v) >= 2 for v in values)


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 10**6), st.integers(0, 10**6))
def test_references_are_a_permutation_of_their_space(modulus: int, salt: int) -> None:
    size = min(modulus, 5000)
    values = permuted(np.arange(size), modulus, salt)
    assert len(np.unique(values)) == size and values.min() >= 0 and values.max() < modulus


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_twins_share_family_birthday_and_surname_and_juniors_share_a_first_name(seed: int) -> None:
    rng = np.random.default_rng(seed)
    fam = build_families(rng, 400, 400, 0.3)
    people = build_people(rng, fam, name_bank(), twin_rate=0.2, junior_rate=0.5)
    twin = np.flatnonzero(people.twin_of >= 0)
    other = people.twin_of[twin]
    assert len(twin) > 0
    assert (people.family[twin] == people.family[other]).all()
    assert (people.dob[twin] == people.dob[other]).all()
    assert (people.surname[twin] == people.surname[other]).all()
    junior = np.flatnonzero(people.junior_of >= 0)
    assert len(junior) > 0 and (people.first[junior] == people.first[people.junior_of[junior]]).all()
    assert (people.dob <= np.datetime64("2021-12-31")).all()


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_no_two_members_of_a_family_share_a_first_name_unless_one_is_the_others_junior(seed: int) -> None:
    rng = np.random.default_rng(seed)
    fam = build_families(rng, 400, 400, 0.3)
    bank = name_bank()
    people = build_people(rng, fam, bank, twin_rate=0.2, junior_rate=0.5)
    first = np.asarray(bank.forenames.take(pa.array(people.first)).to_pylist())
    a, b = np.triu_indices(int(fam.size.max()), k=1)  # every pair of positions within a family
    for start, size in zip(fam.first_person.tolist(), fam.size.tolist(), strict=True):
        i, j = start + a[b < size], start + b[b < size]
        for elder, younger in zip(i[first[i] == first[j]], j[first[i] == first[j]], strict=True):
            assert people.junior_of[younger] == elder, first[elder]
    assert (people.twin_of >= 0).any() and (people.junior_of >= 0).any()
    named = people.middle >= 0
    middle = np.asarray(bank.forenames.take(pa.array(people.middle[named])).to_pylist())
    assert not (middle == first[named]).any()  # no JACK JACK SMITH


def test_the_deterministic_fallback_alone_also_gives_distinct_names(monkeypatch: pytest.MonkeyPatch) -> None:
    from famlink.synth import households

    monkeypatch.setattr(households, "_REDRAWS", 0)  # skip the random redraws: only the walk down the list
    rng, bank = np.random.default_rng(3), name_bank()
    fam = build_families(rng, 1000, 1000, 0.3)
    people = build_people(rng, fam, bank, twin_rate=0.3, junior_rate=0.5)
    assert not len(
        households._repeated_names(people.family, bank.forename_key[people.first], people.junior_of)
    )
    junior = np.flatnonzero(people.junior_of >= 0)
    assert len(junior) and (people.first[junior] == people.first[people.junior_of[junior]]).all()
