"""A stop-gap for `famlink.identifiers.standardise_people` (spec B) while that module is written.

Used only when `famlink.identifiers` does not yet provide `standardise_people`. Same output columns,
simpler rules (no UPN check letter, a short nickname list). Remove once identifiers has landed.
"""

from __future__ import annotations

import duckdb

_NICKNAMES = {
    "BILL": "WILLIAM",
    "BILLY": "WILLIAM",
    "WILL": "WILLIAM",
    "BOB": "ROBERT",
    "BOBBY": "ROBERT",
    "ROB": "ROBERT",
    "JIM": "JAMES",
    "JIMMY": "JAMES",
    "JAMIE": "JAMES",
    "MIKE": "MICHAEL",
    "MICK": "MICHAEL",
    "TOM": "THOMAS",
    "TOMMY": "THOMAS",
    "DAVE": "DAVID",
    "DAN": "DANIEL",
    "DANNY": "DANIEL",
    "CHRIS": "CHRISTOPHER",
    "SAM": "SAMUEL",
    "JOE": "JOSEPH",
    "BEN": "BENJAMIN",
    "ALEX": "ALEXANDER",
    "PEGGY": "MARGARET",
    "MAGGIE": "MARGARET",
    "KATE": "KATHERINE",
    "KATIE": "KATHERINE",
    "LIZ": "ELIZABETH",
    "BETH": "ELIZABETH",
    "JENNY": "JENNIFER",
    "BECKY": "REBECCA",
    "SUE": "SUSAN",
    "VICKY": "VICTORIA",
}


def _name(col: str) -> str:
    folded = f"regexp_replace(upper(strip_accents(coalesce({col}, ''))), '[-''`]', '', 'g')"
    spaced = f"trim(regexp_replace(regexp_replace({folded}, '[^A-Z ]', ' ', 'g'), ' +', ' ', 'g'))"
    return f"nullif({spaced}, '')"


_DOB_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d.%m.%y", "%Y%m%d", "%d/%m/%y")


def _dob(col: str) -> str:
    tries = ", ".join(f"try_strptime(trim({col}), '{fmt}')" for fmt in _DOB_FORMATS)
    return f"CAST(coalesce({tries}) AS DATE)"


def _nhs_valid(col: str) -> str:
    digits = f"list_transform(range(9), lambda i: (ascii(substr({col}, i + 1, 1)) - 48) * (10 - i))"
    check = f"(11 - (list_sum({digits}) % 11)) % 11"
    return (
        f"coalesce(regexp_full_match({col}, '[0-9]{{10}}') "
        f"AND {check} <> 10 AND {check} = ascii(substr({col}, 10, 1)) - 48, false)"
    )


def standardise_people(con: duckdb.DuckDBPyConnection, source: str, target: str) -> None:
    """Create `target` from `source` with spec B's columns (provisional rules)."""
    con.execute("CREATE OR REPLACE TEMP TABLE _nick(nick VARCHAR, formal VARCHAR)")
    con.executemany("INSERT INTO _nick VALUES (?, ?)", list(_NICKNAMES.items()))
    pc = "nullif(regexp_replace(upper(coalesce(postcode, '')), '[^A-Z0-9]', '', 'g'), '')"
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {target} AS
        WITH base AS (
          SELECT record_id, {_name("first_name")} AS first_name_std,
                 {_name("middle_names")} AS middle_names_std, {_name("surname")} AS surname_std,
                 CASE upper(trim(sex)) WHEN 'M' THEN 'M' WHEN 'MALE' THEN 'M'
                      WHEN 'F' THEN 'F' WHEN 'FEMALE' THEN 'F' END AS sex_std,
                 {_dob("date_of_birth")} AS dob,
                 CASE WHEN {pc} IS NULL THEN NULL
                      ELSE left({pc}, length({pc}) - 3) || ' ' || right({pc}, 3) END AS postcode_std,
                 {_name("address")} AS address_std,
                 nullif(regexp_replace(coalesce(nhs_number, ''), '[^0-9]', '', 'g'), '') AS nhs_number_std,
                 nullif(regexp_replace(upper(coalesce(nino, '')), '[^A-Z0-9]', '', 'g'), '') AS nino_std,
                 nullif(regexp_replace(upper(coalesce(upn, '')), '[^A-Z0-9]', '', 'g'), '') AS upn_std
          FROM {source}
        )
        SELECT base.*, string_split(coalesce(surname_std, ''), ' ') AS surname_parts,
               coalesce(_nick.formal, first_name_std) AS first_name_formal,
               dob IS NOT NULL AS dob_valid,
               split_part(postcode_std, ' ', 1) AS postcode_outward,
               split_part(postcode_std, ' ', 1) || ' ' || left(split_part(postcode_std, ' ', 2), 1)
                   AS postcode_sector,
               coalesce(regexp_full_match(postcode_std, '[A-Z]{{1,2}}[0-9][A-Z0-9]? [0-9][A-Z]{{2}}'), false)
                   AS postcode_valid,
               {_nhs_valid("nhs_number_std")} AS nhs_number_valid,
               coalesce(regexp_full_match(nino_std, '[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{{6}}[A-D]'),
                        false) AS nino_valid,
               coalesce(regexp_full_match(upn_std, '[A-Z][0-9]{{11}}[0-9A-Z]'), false) AS upn_valid
        FROM base LEFT JOIN _nick ON _nick.nick = base.first_name_std
        """
    )
