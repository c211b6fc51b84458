"""The name bank is as spread out as real English names, so namesakes are as rare as in reality.

The chance that two unrelated people share a full name and a birthday grows with the sum of squared
name shares; its inverse, the effective number of names, is what these thresholds bound.
"""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import pytest

from famlink.synth.namebank import NAME_GROUPS, name_bank

SURNAME_EFFECTIVE = {"white_british": 800, "south_asian": 150, "black_african": 150}
SURNAME_EFFECTIVE |= {"black_caribbean": 150, "eastern_european": 150}
TOP_SHARE = 0.016  # no surname above 1.6% of its group ...
SOUTH_ASIAN_TOP_SHARE = 0.05  # ... except Patel, Khan and Ali, which are genuinely concentrated


def _shares(names: np.ndarray, weights: np.ndarray) -> dict[str, float]:
    """Each distinct name's share of the weight (a name listed twice counts once, summed)."""
    total: dict[str, float] = {}
    for name, weight in zip(names.tolist(), weights.tolist(), strict=True):
        total[name] = total.get(name, 0.0) + weight
    whole = sum(total.values())
    return {name: weight / whole for name, weight in total.items()}


def _effective(shares: dict[str, float]) -> float:
    return 1.0 / sum(p * p for p in shares.values())


def _surname_shares(group: str) -> dict[str, float]:
    bank = name_bank()
    rows = bank.surname_group == NAME_GROUPS.index(group)
    return _shares(np.asarray(bank.surnames.to_pylist())[rows], bank.surname_weight[rows])


def _forename_shares(group: str, sex: str) -> dict[str, float]:
    bank = name_bank()
    rows = (bank.forename_group == NAME_GROUPS.index(group)) & (bank.forename_sex == sex)
    return _shares(np.asarray(bank.forenames.to_pylist())[rows], bank.forename_weight[rows])


@pytest.mark.parametrize("group", NAME_GROUPS)
def test_surnames_have_a_long_tail_and_no_name_dominates(group: str) -> None:
    shares = _surname_shares(group)
    assert _effective(shares) >= SURNAME_EFFECTIVE[group]
    top = SOUTH_ASIAN_TOP_SHARE if group == "south_asian" else TOP_SHARE
    assert max(shares.values()) <= top


def test_smith_is_about_as_common_as_in_england_and_wales() -> None:
    assert 0.013 <= _surname_shares("white_british")["Smith"] <= 0.015


@pytest.mark.parametrize("group", NAME_GROUPS)
@pytest.mark.parametrize("sex", ["M", "F"])
def test_forename_lists_are_long_and_spread_out(group: str, sex: str) -> None:
    shares = _forename_shares(group, sex)
    names, effective = (150, 100) if group == "white_british" else (40, 30)
    assert len(shares) >= names and _effective(shares) >= effective


def test_a_forename_is_listed_once_per_group_and_sex_and_every_nickname_has_its_formal_name() -> None:
    bank = name_bank()
    names = bank.forenames.to_pylist()
    rows = list(zip(names, bank.forename_group.tolist(), bank.forename_sex.tolist(), strict=True))
    assert len(rows) == len(set(rows))
    text = resources.files("famlink.synth").joinpath("data", "nicknames.csv").read_text(encoding="utf-8")
    formal = {row["formal"] for row in csv.DictReader(text.splitlines())}
    assert formal <= set(names)


def test_the_surname_bank_is_rebuilt_identically_and_each_group_sums_to_100000() -> None:
    bank, again = name_bank(), name_bank.__wrapped__()  # a fresh build, bypassing the cache
    assert again.surnames.equals(bank.surnames)
    assert np.array_equal(again.surname_weight, bank.surname_weight)
    for g, group in enumerate(NAME_GROUPS):
        assert bank.surname_weight[bank.surname_group == g].sum() == pytest.approx(100_000), group
