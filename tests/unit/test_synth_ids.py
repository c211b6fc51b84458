"""Identifier generation: the published check-digit examples, the 999 range, uniqueness."""

from __future__ import annotations

import numpy as np
import pytest

from famlink.errors import ConfigError
from famlink.synth import ids
from famlink.synth.config import SynthConfig
from tests.synth_checks import nhs_ok, nino_ok, postcode_ok, upn_ok


def test_nhs_check_digits_match_the_published_examples() -> None:
    assert list(ids.nhs_check_digits(np.array([526018, 159083]))) == [2, 8]


def test_the_nhs_pool_holds_only_valid_999_numbers_without_repeats() -> None:
    pool = ids.nhs_pool(seed=5)
    assert len(pool) == len(set(pool.tolist())) > 900_000
    sample = [str(n) for n in pool[:2000]]
    assert all(s.startswith("999") and nhs_ok(s) for s in sample)


def test_upn_check_letters_match_the_published_examples() -> None:
    letters = ids.upn_check_index(np.array([801200005001, 207000016049]))
    assert [ids.UPN_ALPHABET[i] for i in letters] == ["B", "P"]


def test_generated_upns_ninos_and_postcodes_pass_independent_checks() -> None:
    counter = np.arange(5000)
    upns = ids.upns(801, counter, np.full(5000, 2010), salt=3).to_pylist()
    ninos = ids.ninos(counter, salt=9, suffix=counter % 4).to_pylist()
    codes = ids.postcodes("SW", counter % 99 + 1, counter % 10, counter % 400).to_pylist()
    assert all(upn_ok(u) and u[1:4] == "801" for u in upns) and len(set(upns)) == 5000
    assert all(nino_ok(n) for n in ninos) and len(set(ninos)) == 5000
    assert all(postcode_ok(p) for p in codes)


def test_references_are_unique_and_do_not_follow_the_counter() -> None:
    refs = ids.references("DWP", np.arange(100_000), 9, salt=11).to_pylist()
    assert len(set(refs)) == 100_000
    assert refs[:5] != sorted(refs[:5]) or refs[1] != "DWP000000001"


@pytest.mark.parametrize(
    "settings",
    [
        {"families": 0},
        {"councils": 0},
        {"families": 3, "councils": 5},
        {"effects": {"looked_after": 0.2}},
        {"effects": {"happiness": -0.1}},
        {"twin_rate": 1.5},
        {"eligible_join_share": 0.8, "eligible_wait_share": 0.3},
    ],
)
def test_impossible_settings_are_refused_with_a_config_error(settings: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        SynthConfig(**settings).validate()  # type: ignore[arg-type]
