"""The Splink model famlink trains: comparisons, blocking rules and training steps.

Why these comparisons rather than Splink's tutorial ones:
- first names are compared exactly, then through the nickname table (BILL = WILLIAM), then by
  Jaro-Winkler, then by one edit (short names: AMY keyed AYM is a Jaro-Winkler 0.56), then by sound
  (LOUIS and LEWIS), then against the other record's middle names and with first name and surname
  swapped, because those are the ways councils and departments actually record the same person
  differently;
- the date of birth is split into year, month and day so a day/month transposition (03/07 for 07/03)
  and a wrong year (1984 keyed as 1948) are their own levels, portable to Spark;
- postcodes are compared as a hierarchy (full, sector, outward, area) because families move locally;
- a national identifier (NHS number, NINO or UPN) agreeing is strong evidence but not proof (about one
  record in a thousand carries someone else's), so it is a comparison like any other here; the exact
  pass (exact.py) handles the corroborated cases before Splink sees them.
Every comparison on names and postcodes uses term-frequency adjustment: agreeing on SMITH is weaker
evidence than agreeing on a rare surname.
"""

from __future__ import annotations

from typing import Any

import splink.blocking_rule_library as brl
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import block_on
from splink.internals.comparison_creator import ComparisonCreator

FIRST_NAME_LEVELS = (
    "exact",
    "nickname",
    "jw_0.92",
    "jw_0.80",
    "one_edit",
    "sounds_alike",
    "middle_or_swapped",
)
DOB_LEVELS = (
    "exact",
    "transposed",
    "year_differs",
    "one_part_differs",
    "within_a_year",
    "a_generation_apart",
)
POSTCODE_LEVELS = ("exact", "same_sector", "same_outward", "same_area", "one_typo")
ADDRESS_LEVELS = ("exact", "jw_0.9", "most_words_shared")


def gamma_of(levels: tuple[str, ...], label: str) -> int:
    """The comparison-vector value Splink gives the level labelled `label` of a comparison whose
    non-null levels are `levels` (top first) followed by 'else' (0). Rules that read Splink's gammas
    use this instead of bare numbers, so adding a level cannot silently shift what they mean."""
    return len(levels) - levels.index(label)


def _level(sql: str, label: str) -> cll.CustomLevel:
    """A labelled comparison level written in DuckDB SQL (Splink translates it for Spark)."""
    return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")


_A_NAME_CROSSED = "(surname_std_l = first_name_std_r OR first_name_std_l = surname_std_r)"
"""One record's surname is the other's first name: first name and surname recorded the other way
round (a form filled in surname-first), perhaps with the other name also misspelt or replaced.
Both name comparisons credit it; plain SQL equality, so it runs unchanged on Spark."""


_SOUNDS_ALIKE = (
    "first_name_soundex_l = first_name_soundex_r OR first_name_metaphone_l = first_name_metaphone_r"
)
"""Spellings of one spoken name (LOUIS and LEWIS, JAKUB and JACOB, PHOEBE and FEBE): the keys are
computed in prepare.py, where each is explained."""


def _first_name() -> ComparisonCreator:
    swapped = cll.CustomLevel(_A_NAME_CROSSED, base_dialect_str="duckdb")
    middle = cll.Or(
        cll.CustomLevel("first_name_std_l = middle_names_std_r", base_dialect_str="duckdb"),
        cll.CustomLevel("middle_names_std_l = first_name_std_r", base_dialect_str="duckdb"),
        swapped,
    )
    return cl.CustomComparison(
        output_column_name="first_name",
        comparison_levels=[
            cll.NullLevel("first_name_std"),
            cll.ExactMatchLevel("first_name_std").configure(
                tf_adjustment_column="first_name_std", label_for_charts="exact"
            ),
            cll.ExactMatchLevel("first_name_formal").configure(label_for_charts="nickname"),
            cll.JaroWinklerLevel("first_name_std", 0.92).configure(label_for_charts="jw_0.92"),
            cll.JaroWinklerLevel("first_name_std", 0.80).configure(label_for_charts="jw_0.80"),
            # Jaro-Winkler undervalues a slip in a short name (AMY as AYM: 0.56, MIA as MAI: 0.56),
            # which the 'else' weight would treat as another person.
            cll.DamerauLevenshteinLevel("first_name_std", 1).configure(label_for_charts="one_edit"),
            _level(_SOUNDS_ALIKE, "sounds_alike"),
            middle.configure(label_for_charts="middle_or_swapped"),
            cll.ElseLevel(),
        ],
    )


_SHARES_A_PART = (
    "array_length(list_filter(surname_parts_l, lambda p: list_contains(surname_parts_r, p))) >= 1"
)
"""The surnames share a part (SMITH-JONES and JONES). Written as a filter rather than Splink's
ArrayIntersectLevel: three times faster on DuckDB, and it translates to Spark."""


def _surname() -> ComparisonCreator:
    """Surnames, with their own level for a surname found in the other record's first name.

    The first-name comparison already credits a swap; without the surname's own level the swapped
    surname falls to 'else' and its strongly negative weight cancels the rest of the record. Only one
    crossing is asked for, so a swap whose other name was also replaced or misspelt still counts.
    """
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname_std"),
            cll.ExactMatchLevel("surname_std").configure(tf_adjustment_column="surname_std"),
            _level(_A_NAME_CROSSED, "swapped_with_first_name"),
            cll.JaroWinklerLevel("surname_std", 0.92),
            _level(_SHARES_A_PART, "shares_a_part"),
            cll.JaroWinklerLevel("surname_std", 0.80),
            cll.ElseLevel(),
        ],
    )


_FIRST_MIDDLE_NAME_AGREES = "split_part(middle_names_std_l, ' ', 1) = split_part(middle_names_std_r, ' ', 1)"
_MIDDLE_INITIAL_AGREES = "substr(middle_names_std_l, 1, 1) = substr(middle_names_std_r, 1, 1)"


def _middle_names() -> ComparisonCreator:
    """Middle names: what tells apart two people who share a first name, surname and date of birth,
    and what still identifies a woman recorded under her previous surname after a move.

    One record may hold only the first of several middle names, or only an initial, so those are
    levels of their own rather than disagreements.
    """
    return cl.CustomComparison(
        output_column_name="middle_names",
        comparison_levels=[
            cll.NullLevel("middle_names_std"),
            cll.ExactMatchLevel("middle_names_std").configure(tf_adjustment_column="middle_names_std"),
            _level(_FIRST_MIDDLE_NAME_AGREES, "first_middle_name_agrees"),
            _level(_MIDDLE_INITIAL_AGREES, "initial_agrees"),
            cll.ElseLevel(),
        ],
    )


GENERATION_APART_M = 1e-3
"""How often one person's two records carry dates of birth twelve or more years apart: set, not
trained. EM cannot learn it where families live together: a child named after the parent they live
with agrees on names, address and postcode, EM takes the pair for one person, and the level comes
out as a common error with a positive weight. One record in a thousand is the top of the rate of
wrong dates of birth (0.1-0.5% of records, most of them near the true date: the project's reference
on identifier errors). On FEBRL4, whose wrong dates are random, EM's own estimate gives the same
links; on the synthetic world (seed 23, 10k x 100k) it left 7 false links, the set value 1."""


def _date_of_birth() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            cll.NullLevel("dob_str"),
            cll.ExactMatchLevel("dob_str").configure(label_for_charts="exact"),
            _level(
                "dob_y_l = dob_y_r AND dob_m_l = dob_d_r AND dob_d_l = dob_m_r",
                "transposed",
            ),
            _level("dob_m_l = dob_m_r AND dob_d_l = dob_d_r", "year_differs"),
            _level(
                "dob_y_l = dob_y_r AND (dob_m_l = dob_m_r OR dob_d_l = dob_d_r)",
                "one_part_differs",
            ),
            _level("abs(dob_y_l - dob_y_r) <= 1", "within_a_year"),
            _level("abs(dob_y_l - dob_y_r) >= 12", "a_generation_apart").configure(
                m_probability=GENERATION_APART_M, fix_m_probability=True
            ),
            cll.ElseLevel(),
        ],
    )


def _postcode() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_levels=[
            cll.NullLevel("postcode_std"),
            cll.ExactMatchLevel("postcode_std").configure(
                tf_adjustment_column="postcode_std", label_for_charts="exact"
            ),
            cll.ExactMatchLevel("postcode_sector").configure(label_for_charts="same_sector"),
            cll.ExactMatchLevel("postcode_outward").configure(label_for_charts="same_outward"),
            # Most moves are local: a person who moved within the postcode area (LS, BD) is far
            # likelier to be the same person than a namesake with the same birthday elsewhere.
            cll.ExactMatchLevel("postcode_area").configure(label_for_charts="same_area"),
            # Across areas, or for non-UK postcodes (no area): Damerau, not plain Levenshtein, as
            # two adjacent characters swapped (2118 for 2181) is as common a slip as a wrong one.
            cll.DamerauLevenshteinLevel("postcode_std", 1).configure(label_for_charts="one_typo"),
            cll.ElseLevel(),
        ],
    )


_MOST_WORDS_SHARED = (
    "array_length(list_filter(address_words_l, lambda w: list_contains(address_words_r, w))) * 2"
    " >= greatest(array_length(address_words_l), array_length(address_words_r))"
)
"""At least half the words of the longer address appear in the other: the same address written with
a word missing, added, split or misspelt, which Jaro-Winkler on the whole string scores low. (A filter
rather than array_intersect: five times faster on DuckDB, and it translates to Spark.)"""


def _address() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.NullLevel("address_std"),
            cll.ExactMatchLevel("address_std").configure(label_for_charts="exact"),
            cll.JaroWinklerLevel("address_std", 0.9).configure(label_for_charts="jw_0.9"),
            _level(_MOST_WORDS_SHARED, "most_words_shared"),
            cll.ElseLevel(),
        ],
    )


def _sex() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="sex",
        comparison_levels=[cll.NullLevel("sex_std"), cll.ExactMatchLevel("sex_std"), cll.ElseLevel()],
    )


_ID_KINDS = ("nhs_number_std", "nino_std", "upn_std")


def _national_identifier() -> ComparisonCreator:
    comparable = " OR ".join(f"({k}_l IS NOT NULL AND {k}_r IS NOT NULL)" for k in _ID_KINDS)
    agree = " OR ".join(f"{k}_l = {k}_r" for k in _ID_KINDS)
    # CASE, not AND: DuckDB then runs the slow Damerau-Levenshtein only where one half agrees (a single
    # substitution or adjacent transposition leaves the first four or the sixth-onwards unchanged).
    near = " OR ".join(
        f"(CASE WHEN substr({k}_l, 1, 4) = substr({k}_r, 1, 4) OR substr({k}_l, 6) = substr({k}_r, 6)"
        f" THEN damerau_levenshtein({k}_l, {k}_r) <= 1 ELSE false END)"
        for k in _ID_KINDS
    )
    return cl.CustomComparison(
        output_column_name="national_id",
        comparison_levels=[
            cll.CustomLevel(f"NOT ({comparable})", base_dialect_str="duckdb").configure(
                is_null_level=True, label_for_charts="not comparable"
            ),
            _level(agree, "an identifier agrees"),
            _level(near, "one character differs"),
            cll.ElseLevel(),
        ],
    )


def prediction_blocking_rules() -> list[Any]:
    """Rules that together keep recall high while each stays small at national scale.

    Each catches the true pairs the others miss: a DOB error (names + postcode, names + sector,
    names + postcode area after a move),
    a surname change (first name + DOB), a first-name variant (surname + DOB), both names recorded
    differently (DOB + postcode sector, or the full postcode where it is not a UK one and has no
    sector), names and DOB all recorded differently (the same house: postcode + the address's first
    word, usually the house number), the surname with a postcode keyed with two characters swapped
    (when first name and date of birth are unusable too), first name and surname swapped, and
    everything else that shares a national identifier.
    """
    return [
        block_on("surname_std", "dob_str"),
        block_on("first_name_formal", "dob_str"),
        # Both names alone (204 million pairs when the agent deduplicates 1.6 million people, a
        # billion in a national department match) are narrowed by birth year, postcode district or
        # house number (for a missing date and a mistyped or non-UK postcode).
        block_on("first_name_formal", "surname_std", "dob_y"),
        block_on("first_name_formal", "surname_std", "postcode_outward"),
        block_on("first_name_formal", "surname_std", _HOUSE),
        # ... or by postcode area, for someone recorded without a date of birth, or with a wrong
        # one, who has since moved within the area (LS6 to LS14).
        block_on("first_name_formal", "surname_std", "postcode_area"),
        block_on("surname_std", "postcode_std"),
        block_on("first_name_formal", "postcode_std"),
        block_on("address_std"),
        block_on("dob_str", "postcode_sector"),
        block_on("dob_str", "postcode_std"),
        block_on("postcode_std", _HOUSE),
        block_on("surname_std", "postcode_letters"),
        _swapped_names_rule(),
        block_on("nhs_number_std"),
        block_on("nino_std"),
        block_on("upn_std"),
    ]


_HOUSE = "split_part(address_std, ' ', 1)"
"""The first word of the address: the house number (or 'FLAT', 'THE', ...); with the postcode, a house."""


def _swapped_names_rule() -> Any:
    """Pairs whose first name and surname were recorded the other way round."""
    return brl.CustomRule(
        "l.first_name_std = r.surname_std AND l.surname_std = r.first_name_std", sql_dialect="duckdb"
    )


def training_blocking_rules() -> list[Any]:
    """EM sessions: each fixes a different part of the record so the others can be estimated."""
    return [block_on("dob_str"), block_on("first_name_formal", "surname_std")]


def deterministic_rules() -> list[Any]:
    """Rules used to estimate how often two random records match (their recall set below)."""
    return [block_on("first_name_formal", "surname_std", "dob_str"), block_on("nhs_number_std", "dob_str")]


DETERMINISTIC_RECALL = 0.95


def settings_dict(link_type: str) -> dict[str, Any]:
    """The untrained Splink settings for `link_type` ('link_only' or 'dedupe_only')."""
    return {
        "link_type": link_type,
        "unique_id_column_name": "record_id",
        "probability_two_random_records_match": 1e-6,
        "comparisons": [
            _first_name(),
            _surname(),
            _middle_names(),
            _date_of_birth(),
            _sex(),
            _postcode(),
            _address(),
            _national_identifier(),
        ],
        "blocking_rules_to_generate_predictions": prediction_blocking_rules(),
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": ["dob_y"],
    }
