"""DuckDB macros that check and standardise identifiers column-wise, millions of rows at a time.

Why macros rather than Python functions registered as UDFs: a UDF is called once per row (or per
small batch) across the Python boundary, which makes 1.5 million records take minutes; a macro is
expanded into the query plan and runs in DuckDB's vectorised engine. Every check is written so that
no expression can raise on bad input (`ascii(...) - 48` rather than a cast, nested CASE rather than
`make_date` on impossible dates), because one malformed value must never abort a whole import.

The macros are TEMP: they live on the caller's connection only and never enter a database file.
"""

from __future__ import annotations

import duckdb

from famlink.identifiers import rules


def sql_string(text: str) -> str:
    """A SQL string literal for trusted constant text (the rules), with quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


def _digit(number: str, power: int) -> str:
    """The decimal digit of integer `number` worth 10**power."""
    return f"(({number} // {10**power}) % 10)"


def _nhs_weighted_sum() -> str:
    """Digits 1..9 of a 10-digit integer `n`, weighted 10..2."""
    return " + ".join(f"{_digit('n', 10 - i)} * {w}" for i, w in enumerate(rules.NHS_WEIGHTS, start=1))


def _upn_weighted_sum() -> str:
    """Positions 2..12 (the 11-digit integer `body`) times their position, plus 13 x the last value."""
    return " + ".join([*(f"{_digit('body', 12 - p)} * {p}" for p in range(2, 13)), "last * 13"])


_QUOTE = sql_string("'")
APOSTROPHES = "['’‘`´ʼ]"
"""Apostrophes are deleted, not turned into spaces, so that O'BRIEN and OBRIEN are one name."""

_UNDECOMPOSABLE_FROM = "øØłŁđĐðÐıĸ"
_UNDECOMPOSABLE_TO = "oOlLdDdDik"
_MULTI_LETTER: tuple[tuple[str, str], ...] = (
    ("ß", "SS"),
    ("ẞ", "SS"),
    ("æ", "AE"),
    ("Æ", "AE"),
    ("œ", "OE"),
    ("Œ", "OE"),
    ("þ", "TH"),
    ("Þ", "TH"),
)


def _latin_base(expr: str) -> str:
    """Upper case, apostrophes deleted, letters with no decomposition spelled in ASCII.

    Applied after `famlink_unaccent`, so most values are plain ASCII by now and take the cheap branch;
    only the rest pay for the character table.
    """
    inner = f"translate({expr}, {sql_string(_UNDECOMPOSABLE_FROM)}, {sql_string(_UNDECOMPOSABLE_TO)})"
    for letter, spelled in _MULTI_LETTER:
        inner = f"replace({inner}, {sql_string(letter)}, {sql_string(spelled)})"
    return (
        f"CASE WHEN strlen({expr}) = length({expr}) "
        f"THEN replace(replace(upper({expr}), {_QUOTE}, ''), '`', '') "
        f"ELSE regexp_replace(upper({inner}), {sql_string(APOSTROPHES)}, '', 'g') END"
    )


def _plausible_date() -> str:
    """(y, m, d, as_of) -> DATE or NULL; month lengths checked before make_date so nothing raises."""
    return (
        f"CASE WHEN y >= {rules.EARLIEST_BIRTH_YEAR} AND m BETWEEN 1 AND 12 AND d >= 1 THEN "
        "CASE WHEN d <= day(last_day(make_date(y, m, 1))) THEN "
        "CASE WHEN make_date(y, m, d) <= as_of THEN make_date(y, m, d) END END END"
    )


def _anchored(pattern: str) -> str:
    return sql_string(f"^(?:{pattern})$")


def _sex_cases() -> str:
    """Simple CASE arms (cheaper than IN lists, which DuckDB plans as joins)."""
    arms = [f"WHEN {sql_string(code)} THEN 'M'" for code in rules.SEX_MALE]
    arms += [f"WHEN {sql_string(code)} THEN 'F'" for code in rules.SEX_FEMALE]
    return " ".join(arms)


def _in_list(values: tuple[str, ...]) -> str:
    return ", ".join(sql_string(v) for v in values)


def _macros() -> dict[str, str]:
    """Macro signature -> body. Arguments are column references: a macro repeats its arguments."""
    months = "".join(rules.MONTH_ABBREVIATIONS)
    separators = sql_string(rules.SEPARATOR_CLASS)
    return {
        "famlink_squeeze(raw)": f"regexp_replace(CAST(raw AS VARCHAR), {separators}, '', 'g')",
        "famlink_ascii_upper(s)": "CASE WHEN s <> '' AND strlen(s) = length(s) THEN upper(s) END",
        "famlink_nhs_ok(n)": f"coalesce((11 - ({_nhs_weighted_sum()}) % 11) % 11 = n % 10, false)",
        "famlink_upn_ok(c, body, last)": (
            f"coalesce(left(c, 1) = substr({sql_string(rules.UPN_ALPHABET)}, "
            f"({_upn_weighted_sum()}) % 23 + 1, 1), false)"
        ),
        "famlink_upn_char_value(ch)": (
            "CASE WHEN ch BETWEEN '0' AND '9' THEN ascii(ch) - 48 "
            f"ELSE instr({sql_string(rules.UPN_ALPHABET)}, ch) - 1 END"
        ),
        "famlink_nino_ok(c)": (
            f"CASE WHEN regexp_full_match(c, {sql_string(rules.NINO_PATTERN)}) THEN "
            f"left(c, 2) NOT IN ({_in_list(rules.NINO_UNALLOCATED_PREFIXES)}) ELSE false END"
        ),
        "famlink_postcode_ok(c)": (
            f"coalesce(regexp_full_match(c, {sql_string(rules.POSTCODE_PATTERN)}), false)"
        ),
        "famlink_unaccent(x)": "CASE WHEN strlen(x) = length(x) THEN x ELSE strip_accents(x) END",
        "famlink_latin_base(x)": _latin_base("x"),
        "famlink_name_whole(b)": "nullif(regexp_replace(b, '[^A-Z]+', '', 'g'), '')",
        "famlink_name_words(b)": (
            "nullif(trim(regexp_replace(replace(b, '-', ''), '[^A-Z]+', ' ', 'g')), '')"
        ),
        "famlink_name_parts(b)": (
            "list_filter(string_split_regex(b, '[^A-Z]+'), "
            f"lambda p: length(p) >= 2 AND p NOT IN ({_in_list(rules.SURNAME_PARTICLES)}))"
        ),
        "famlink_address(b)": "nullif(trim(regexp_replace(b, '[^A-Z0-9]+', ' ', 'g')), '')",
        "famlink_sex(raw)": f"CASE upper(trim(CAST(raw AS VARCHAR))) {_sex_cases()} END",
        "famlink_full_year(digits, as_of)": (
            "CASE WHEN length(digits) = 2 THEN "
            "CASE WHEN 2000 + TRY_CAST(digits AS INTEGER) <= year(as_of) "
            "THEN 2000 + TRY_CAST(digits AS INTEGER) ELSE 1900 + TRY_CAST(digits AS INTEGER) END "
            "ELSE TRY_CAST(digits AS INTEGER) END"
        ),
        "famlink_plausible_date(y, m, d, as_of)": _plausible_date(),
        "famlink_month_number(word)": f"(instr({sql_string(months)}, left(word, 3)) + 2) // 3",
    }


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create (or replace) famlink's identifier macros on this connection."""
    for signature, body in _macros().items():
        con.execute(f"CREATE OR REPLACE TEMP MACRO {signature} AS {body}")


def identifier_read_columns() -> list[str]:
    """Stage 'read': the numeric bodies of NHS numbers and UPNs that have the right shape.

    Reading each body into an integer once lets the check digits be plain integer arithmetic on a
    column, instead of a dozen substring calls per value.
    """
    nhs, upn = "__fl_c_nhs_number", "__fl_c_upn"
    upn_shaped = f"regexp_full_match({upn}, {sql_string(rules.UPN_PATTERN)})"
    return [
        f"CASE WHEN regexp_full_match({nhs}, {sql_string(rules.NHS_NUMBER_PATTERN)}) "
        f"THEN TRY_CAST({nhs} AS BIGINT) END AS __fl_n_nhs_number",
        f"CASE WHEN {upn_shaped} THEN TRY_CAST(substr({upn}, 2, 11) AS BIGINT) END AS __fl_n_upn",
        f"CASE WHEN {upn_shaped} THEN famlink_upn_char_value(substr({upn}, 13, 1)) END AS __fl_last_upn",
    ]


def dob_read_columns(text: str) -> list[str]:
    """Stage 'read': one regex extraction per date format, each a struct of strings (NULL if no match).

    The formats are mutually exclusive (see rules.py), so at most one struct is filled per row.
    """

    def extract(pattern: str, names: str) -> str:
        # A full match is cheaper than an extraction with groups, so extract only what matched.
        return (
            f"CASE WHEN regexp_full_match({text}, {sql_string(pattern)}) "
            f"THEN regexp_extract({text}, {_anchored(pattern)}, [{names}]) END"
        )

    return [
        extract(rules.DOB_ISO_PATTERN, "'y', 'm', 'd'") + " AS __fl_dob_iso",
        extract(rules.DOB_DAY_FIRST_PATTERN, "'d', 'm', 'y'") + " AS __fl_dob_dmy",
        extract(rules.DOB_MONTH_NAME_PATTERN, "'d', 'w', 'y'") + " AS __fl_dob_named",
        f"CASE WHEN regexp_full_match({text}, '[0-9]{{6}}|[0-9]{{8}}') THEN {text} END AS __fl_dob_digits",
    ]


def dob_part_columns(as_of: str) -> list[str]:
    """Stage 'parts': integer (year, month, day) readings; a second reading only for 8 digits."""
    iso, dmy, named, digits = "__fl_dob_iso", "__fl_dob_dmy", "__fl_dob_named", "__fl_dob_digits"

    def field(struct: str, name: str) -> str:
        return f"struct_extract({struct}, '{name}')"

    def pick(iso_part: str, dmy_part: str, named_part: str, eight: str, six: str) -> str:
        return (
            f"CASE WHEN {field(iso, 'y')} <> '' THEN {iso_part} "
            f"WHEN {field(dmy, 'y')} <> '' THEN {dmy_part} "
            f"WHEN {field(named, 'y')} <> '' THEN {named_part} "
            f"WHEN length({digits}) = 8 THEN {eight} WHEN length({digits}) = 6 THEN {six} END"
        )

    def num(expr: str) -> str:
        return f"TRY_CAST({expr} AS INTEGER)"

    def sub(start: int, length: int) -> str:
        return f"substr({digits}, {start}, {length})"

    year = pick(
        num(field(iso, "y")),
        f"famlink_full_year({field(dmy, 'y')}, {as_of})",
        f"famlink_full_year({field(named, 'y')}, {as_of})",
        num(sub(1, 4)),
        f"famlink_full_year({sub(5, 2)}, {as_of})",
    )
    month = pick(
        num(field(iso, "m")),
        num(field(dmy, "m")),
        f"famlink_month_number({field(named, 'w')})",
        num(sub(5, 2)),
        num(sub(3, 2)),
    )
    day = pick(
        num(field(iso, "d")), num(field(dmy, "d")), num(field(named, "d")), num(sub(7, 2)), num(sub(1, 2))
    )
    eight = f"length({digits}) = 8"
    return [
        f"{year} AS __fl_y1",
        f"{month} AS __fl_m1",
        f"{day} AS __fl_d1",
        f"CASE WHEN {eight} THEN {num(sub(5, 4))} END AS __fl_y2",
        f"CASE WHEN {eight} THEN {num(sub(3, 2))} END AS __fl_m2",
        f"CASE WHEN {eight} THEN {num(sub(1, 2))} END AS __fl_d2",
    ]


def dob_value(as_of: str) -> str:
    """Stage 'checked': the first plausible reading (YYYYMMDD before DDMMYYYY), as in validators.py."""
    return (
        f"coalesce(famlink_plausible_date(__fl_y1, __fl_m1, __fl_d1, {as_of}), "
        f"famlink_plausible_date(__fl_y2, __fl_m2, __fl_d2, {as_of}))"
    )
