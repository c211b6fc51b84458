"""Standardise one side's people into the table the matcher compares.

Standardisation itself belongs to `famlink.identifiers` (spec B); this module adds what matching needs
on top: the date of birth split into year, month and day (so day/month transposition can be compared
portably on DuckDB and Spark), the address's distinct words (so an address with a word missing,
added or misspelt still counts as mostly the same), the first name's phonetic keys (LOUIS and
LEWIS, JAKUB and JACOB sound alike but share too few letters for Jaro-Winkler), the postcode area
(LS of LS6 2AB), the
postcode's characters in sorted order (a blocking key that two adjacent characters keyed the wrong
way round leave unchanged), and the refusal of impossible dates, cited by row and column.
"""

from __future__ import annotations

import duckdb
import jellyfish
import pyarrow as pa

from famlink.errors import InputFileError
from famlink.identifiers import standardise_people

MODEL_COLUMNS = (
    "record_id",
    "first_name_std",
    "first_name_formal",
    "first_name_soundex",
    "first_name_metaphone",
    "middle_names_std",
    "surname_std",
    "surname_parts",
    "sex_std",
    "dob",
    "dob_str",
    "dob_y",
    "dob_m",
    "dob_d",
    "postcode_std",
    "postcode_sector",
    "postcode_outward",
    "postcode_area",
    "postcode_letters",
    "address_std",
    "address_words",
    "nhs_number_std",
    "nhs_number_valid",
    "nino_std",
    "nino_valid",
    "upn_std",
    "upn_valid",
    "postcode_invalid",
)

IDENTIFIER_KINDS = ("nhs_number", "nino", "upn")


def standardise_side(
    con: duckdb.DuckDBPyConnection, people: pa.Table, name: str, source: str, *, refuse_bad_dates: bool = True
) -> None:
    """Create table `name` (MODEL_COLUMNS plus `_row` and carried columns) from checked `people`."""
    raw = f"_raw_{name}"
    std = f"_std_{name}"
    con.register(f"{raw}_arrow", people)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {raw} AS SELECT * FROM {raw}_arrow")
    con.unregister(f"{raw}_arrow")
    standardise_people(con, raw, std)
    if refuse_bad_dates:
        _refuse_impossible_dates(con, raw, std, source)
    sounds = _first_name_sounds(con, std, name)
    carried = ", r.ethnicity" if "ethnicity" in people.column_names else ""
    dob_str = "strftime(s.dob, '%Y%m%d')"
    if not refuse_bad_dates:  # keep an impossible YYYYMMDD as recorded: its digits are still evidence
        digits = "regexp_replace(coalesce(r.date_of_birth, ''), '[^0-9]', '', 'g')"
        dob_str = f"coalesce({dob_str}, CASE WHEN length({digits}) = 8 THEN {digits} END)"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {name} AS
        SELECT s.record_id, s.first_name_std, s.first_name_formal,
               k.first_name_soundex, k.first_name_metaphone, s.middle_names_std, s.surname_std,
               s.surname_parts, s.sex_std, s.dob, {dob_str} AS dob_str,
               CAST(substr({dob_str}, 1, 4) AS INTEGER) AS dob_y,
               CAST(substr({dob_str}, 5, 2) AS INTEGER) AS dob_m,
               CAST(substr({dob_str}, 7, 2) AS INTEGER) AS dob_d,
               s.postcode_std,
               CASE WHEN s.postcode_valid THEN s.postcode_sector END AS postcode_sector,
               CASE WHEN s.postcode_valid THEN s.postcode_outward END AS postcode_outward,
               CASE WHEN s.postcode_valid THEN regexp_extract(s.postcode_outward, '^[A-Z]+') END
                   AS postcode_area,
               array_to_string(list_sort(string_split(s.postcode_std, '')), '') AS postcode_letters,
               s.address_std,
               list_distinct(string_split_regex(trim(s.address_std), '\\s+')) AS address_words,
               s.nhs_number_std, s.nhs_number_valid, s.nino_std, s.nino_valid,
               s.upn_std, s.upn_valid,
               (s.postcode_std IS NOT NULL AND NOT s.postcode_valid) AS postcode_invalid, r._row{carried}
        FROM {std} s JOIN {raw} r USING (record_id)
        LEFT JOIN {sounds} k ON k.first_name_formal = s.first_name_formal
        ORDER BY r._row
        """
    )
    con.execute(f"DROP TABLE {std}")
    con.execute(f"DROP TABLE {sounds}")
    con.execute(f"DROP TABLE {raw}")
    con.execute(f"CREATE OR REPLACE TEMP VIEW {name}_model AS SELECT {', '.join(MODEL_COLUMNS)} FROM {name}")


def _first_name_sounds(con: duckdb.DuckDBPyConnection, std: str, name: str) -> str:
    """A table of each distinct formal first name's Soundex and Metaphone keys; returns its name.

    Keyed by the formal name (the nickname table's BECKY is REBECCA) so that a nickname on one
    record and a variant spelling of the formal name on the other (REBEKAH) still sound alike.

    Two keys because each misses what the other catches: Soundex keeps the first letter (FILIP and
    PHILIP differ) and Metaphone keeps a W (LEWIS is LWS, LOUIS LS). DuckDB has neither, so they
    come from jellyfish (maintained, Rust-backed), computed once per distinct name: a department's
    million records hold a few thousand first names.
    """
    target = f"_sounds_{name}"
    names = [row[0] for row in con.execute(f"SELECT DISTINCT first_name_formal FROM {std}").fetchall()]
    names = [n for n in names if n]
    table = pa.table(
        {
            "first_name_formal": pa.array(names, pa.string()),
            "first_name_soundex": pa.array([jellyfish.soundex(n) or None for n in names], pa.string()),
            "first_name_metaphone": pa.array([jellyfish.metaphone(n) or None for n in names], pa.string()),
        }
    )
    con.register(f"{target}_arrow", table)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {target} AS SELECT * FROM {target}_arrow")
    con.unregister(f"{target}_arrow")
    return target


def _refuse_impossible_dates(con: duckdb.DuckDBPyConnection, raw: str, std: str, source: str) -> None:
    """A date of birth that was given but cannot be a date (31/02/1990, 1990-13-01) stops the run."""
    bad = con.execute(
        f"""
        SELECT min(r._row) FROM {raw} r JOIN {std} s USING (record_id)
        WHERE nullif(trim(r.date_of_birth), '') IS NOT NULL AND s.dob IS NULL
        """
    ).fetchall()
    if bad and bad[0][0] is not None:
        row = bad[0][0]
        raise InputFileError(
            "the date of birth is not a possible date in a format famlink reads",
            where=f"{source}, row {row}, column date_of_birth",
            fix="correct the date (formats read: 1984-03-07, 07/03/1984, 7.3.84) or leave it empty",
        )


def invalid_identifier_counts(con: duckdb.DuckDBPyConnection, name: str) -> dict[str, int]:
    """Per identifier column, how many values were given but failed their check (no values shown)."""
    parts = [
        f"count(*) FILTER (WHERE {kind}_std IS NOT NULL AND NOT {kind}_valid) AS {kind}"
        for kind in IDENTIFIER_KINDS
    ]
    parts.append("count(*) FILTER (WHERE postcode_invalid) AS postcode")
    parts.append("count(*) FILTER (WHERE dob IS NULL) AS date_of_birth_missing")
    row = con.execute(f"SELECT {', '.join(parts)} FROM {name}").fetchall()[0]
    names = [*IDENTIFIER_KINDS, "postcode", "date_of_birth_missing"]
    return {n: int(v) for n, v in zip(names, row, strict=True)}
