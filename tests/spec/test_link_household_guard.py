"""The household guard as a table: which same-home pairs it holds back from the links.

Each row is a pair recorded at one home (same full postcode and address) or apart, with no identifier
to vouch for it, given as the levels its first names and dates of birth fall in and whether the
recorded sex agrees. The guard's answer is what decides
whether Splink's score may link the pair at all, so a wrong row here is a sibling linked to a sibling
or a person lost to a typo.
"""

from __future__ import annotations

import duckdb
import pytest

from famlink.linkage.engine import HOUSEHOLD_GUARD
from famlink.linkage.model import ADDRESS_LEVELS, DOB_LEVELS, FIRST_NAME_LEVELS, POSTCODE_LEVELS, gamma_of

_SEX = {"same": 1, "differs": 0, "unknown": -1}


def _guarded(first_name: str, date_of_birth: str, sex: str, *, same_home: bool) -> bool:
    gammas = {
        "gamma_sex": _SEX[sex],
        "gamma_first_name": 0 if first_name == "else" else gamma_of(FIRST_NAME_LEVELS, first_name),
        "gamma_date_of_birth": 0 if date_of_birth == "else" else gamma_of(DOB_LEVELS, date_of_birth),
        "gamma_postcode": gamma_of(POSTCODE_LEVELS, "exact" if same_home else "same_sector"),
        "gamma_address": gamma_of(ADDRESS_LEVELS, "exact") if same_home else 0,
        "gamma_national_id": -1,
    }
    select = ", ".join(f"{value} AS {name}" for name, value in gammas.items())
    sql = f"SELECT {HOUSEHOLD_GUARD.format(enabled='true')} FROM (SELECT {select})"
    return bool(duckdb.connect().execute(sql).fetchall()[0][0])


@pytest.mark.parametrize(
    ("home", "first_name", "date_of_birth", "sex", "guarded", "who"),
    [
        ("same", "else", "exact", "same", True, "twins: OLIVIA and AMELIA born the same day"),
        ("same", "else", "else", "same", True, "siblings a few years apart"),
        ("same", "exact", "a_generation_apart", "same", True, "a junior named after the parent"),
        ("same", "nickname", "a_generation_apart", "same", True, "ELIZABETH and her daughter BETH"),
        ("same", "jw_0.80", "within_a_year", "same", True, "ELLA and ELLIE, born a year apart"),
        ("same", "sounds_alike", "within_a_year", "same", True, "names that sound alike, a year apart"),
        ("same", "one_edit", "transposed", "same", True, "a loose name and a loose date together"),
        ("same", "jw_0.92", "else", "same", True, "a similar name and another date: a sibling"),
        ("same", "exact", "else", "same", False, "the same first name, the date keyed years out: one person"),
        ("same", "exact", "within_a_year", "same", False, "the same first name, the date a year out"),
        ("same", "one_edit", "exact", "same", False, "AMY keyed AYM, same birthday"),
        ("same", "sounds_alike", "exact", "same", False, "LOUIS written LEWIS, same birthday"),
        ("same", "exact", "exact", "same", False, "one person"),
        ("same", "one_edit", "exact", "differs", True, "twins LOUISE and LOUIS: a girl and a boy"),
        ("same", "middle_or_swapped", "exact", "differs", True, "a girl keyed surname-first, her twin"),
        ("same", "nickname", "exact", "differs", True, "SAMMY and SAM, a brother and a sister"),
        ("same", "exact", "exact", "differs", False, "one person whose sex was keyed wrongly"),
        ("same", "one_edit", "exact", "unknown", False, "AMY keyed AYM, sex recorded on one side only"),
        ("apart", "exact", "a_generation_apart", "same", True, "a mother and the daughter named after her"),
        ("apart", "else", "exact", "same", False, "another person at another address: the score decides"),
        ("apart", "exact", "else", "same", False, "the same name, the date keyed years out, after a move"),
        (
            "apart",
            "one_edit",
            "exact",
            "differs",
            False,
            "living apart, a near name and sex differing: the score",
        ),
    ],
)
def test_the_guard_holds_back_relatives_not_one_persons_slips(
    home: str, first_name: str, date_of_birth: str, sex: str, guarded: bool, who: str
) -> None:
    """At one home siblings and twins are held back; living apart, only a generation's gap is."""
    assert _guarded(first_name, date_of_birth, sex, same_home=home == "same") is guarded, who
