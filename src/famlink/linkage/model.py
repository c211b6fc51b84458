"""The Splink model famlink trains: comparisons, blocking rules and training steps.

Why these comparisons rather than Splink's tutorial ones:
- first names are compared exactly, then through the nickname table (BILL = WILLIAM), then by
  Jaro-Winkler, then against the other record's middle names and with first name and surname swapped,
  because those are the ways councils and departments actually record the same person differently;
- the date of birth is split into year, month and day so a day/month transposition (03/07 for 07/03)
  and a wrong year (1984 keyed as 1948) are their own levels, portable to Spark;
- postcodes are compared as a hierarchy (full, sector, outward) because families move locally;
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

FIRST_NAME_LEVELS = ("exact", "nickname", "jw_0.92", "jw_0.80", "middle_or_swapped")
DOB_LEVELS = ("exact", "transposed", "year_differs", "one_part_differs", "within_a_year")


def _first_name() -> ComparisonCreator:
    swapped = cll.And(
        cll.CustomLevel("first_name_std_l = surname_std_r", base_dialect_str="duckdb"),
        cll.CustomLevel("surname_std_l = first_name_std_r", base_dialect_str="duckdb"),
    )
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
            middle.configure(label_for_charts="middle_or_swapped"),
            cll.ElseLevel(),
        ],
    )


def _surname() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="surname",
        comparison_levels=[
            cll.NullLevel("surname_std"),
            cll.ExactMatchLevel("surname_std").configure(tf_adjustment_column="surname_std"),
            cll.JaroWinklerLevel("surname_std", 0.92),
            cll.ArrayIntersectLevel("surname_parts", 1).configure(label_for_charts="shares_a_part"),
            cll.JaroWinklerLevel("surname_std", 0.80),
            cll.ElseLevel(),
        ],
    )


def _date_of_birth() -> ComparisonCreator:
    def level(sql: str, label: str) -> cll.CustomLevel:
        return cll.CustomLevel(sql, label_for_charts=label, base_dialect_str="duckdb")

    return cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            cll.NullLevel("dob_str"),
            cll.ExactMatchLevel("dob_str").configure(label_for_charts="exact"),
            level(
                "dob_y_l = dob_y_r AND dob_m_l = dob_d_r AND dob_d_l = dob_m_r",
                "transposed",
            ),
            level("dob_m_l = dob_m_r AND dob_d_l = dob_d_r", "year_differs"),
            level(
                "dob_y_l = dob_y_r AND (dob_m_l = dob_m_r OR dob_d_l = dob_d_r)",
                "one_part_differs",
            ),
            level("abs(dob_y_l - dob_y_r) <= 1", "within_a_year"),
            cll.ElseLevel(),
        ],
    )


def _postcode() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_levels=[
            cll.NullLevel("postcode_std"),
            cll.ExactMatchLevel("postcode_std").configure(tf_adjustment_column="postcode_std"),
            cll.ExactMatchLevel("postcode_sector").configure(label_for_charts="same_sector"),
            cll.ExactMatchLevel("postcode_outward").configure(label_for_charts="same_outward"),
            cll.ElseLevel(),
        ],
    )


def _address() -> ComparisonCreator:
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.NullLevel("address_std"),
            cll.ExactMatchLevel("address_std"),
            cll.JaroWinklerLevel("address_std", 0.9),
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
    near = " OR ".join(
        f"((substr({k}_l, 1, 5) = substr({k}_r, 1, 5) OR substr({k}_l, 6) = substr({k}_r, 6))"
        f" AND damerau_levenshtein({k}_l, {k}_r) <= 1)"
        for k in _ID_KINDS
    )
    return cl.CustomComparison(
        output_column_name="national_id",
        comparison_levels=[
            cll.CustomLevel(f"NOT ({comparable})", base_dialect_str="duckdb").configure(
                is_null_level=True, label_for_charts="not comparable"
            ),
            cll.CustomLevel(agree, label_for_charts="an identifier agrees", base_dialect_str="duckdb"),
            cll.CustomLevel(near, label_for_charts="one character differs", base_dialect_str="duckdb"),
            cll.ElseLevel(),
        ],
    )


def prediction_blocking_rules() -> list[Any]:
    """Rules that together keep recall high while each stays small at national scale.

    Each catches the true pairs the others miss: a DOB error (names + postcode, names + sector),
    a surname change (first name + DOB), a first-name variant (surname + DOB), both names recorded
    differently (DOB + postcode), and everything else that shares a national identifier.
    """
    return [
        block_on("surname_std", "dob_str"),
        block_on("first_name_formal", "dob_str"),
        # Both names alone (204 million pairs when the agent deduplicates 1.6 million people, a
        # billion in a national department match) are narrowed by birth year or postcode district.
        block_on("first_name_formal", "surname_std", "dob_y"),
        block_on("first_name_formal", "surname_std", "postcode_outward"),
        _same_names_near_dob_rule(),
        block_on("surname_std", "postcode_std"),
        block_on("first_name_formal", "postcode_std"),
        block_on("address_std"),
        block_on("dob_str", "postcode_sector"),
        block_on("nhs_number_std"),
        block_on("nino_std"),
        block_on("upn_std"),
    ]


def _same_names_near_dob_rule() -> Any:
    """Both names agree and the birth dates are missing or a typo apart (another year, moved away)."""
    return brl.CustomRule(
        "l.first_name_formal = r.first_name_formal AND l.surname_std = r.surname_std AND "
        "(l.dob_str IS NULL OR r.dob_str IS NULL OR levenshtein(l.dob_str, r.dob_str) <= 2)",
        sql_dialect="duckdb",
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
