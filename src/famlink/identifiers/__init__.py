"""Standardise and validate UK personal identifiers (spec B in the project brief).

Bulk: `standardise_people(con, source, target)` turns a person-schema table into standard columns in
one vectorised DuckDB statement; `invalid_counts` and `missing_counts` feed the quality report.
Scalar: the `*_is_valid`, `*_standard` and `parse_date_of_birth` functions check one value and agree
exactly with the SQL. A value that fails its check is kept as recorded and flagged `*_valid = false`;
callers must use only valid values (the `*_key` columns) for exact-identifier matching.
"""

from famlink.identifiers.nicknames import formal_name, load_nicknames
from famlink.identifiers.standardise import (
    OUTPUT_COLUMNS,
    VALIDITY_FLAGS,
    invalid_counts,
    missing_counts,
    standardise_people,
)
from famlink.identifiers.validators import (
    nhs_number_is_valid,
    nhs_number_standard,
    nino_is_valid,
    nino_standard,
    parse_date_of_birth,
    postcode_is_valid,
    postcode_standard,
    upn_is_valid,
    upn_standard,
)

__all__ = [
    "OUTPUT_COLUMNS",
    "VALIDITY_FLAGS",
    "formal_name",
    "invalid_counts",
    "load_nicknames",
    "missing_counts",
    "nhs_number_is_valid",
    "nhs_number_standard",
    "nino_is_valid",
    "nino_standard",
    "parse_date_of_birth",
    "postcode_is_valid",
    "postcode_standard",
    "standardise_people",
    "upn_is_valid",
    "upn_standard",
]
