"""A readable summary of a generated world, for `famlink demo` and for people checking a world.

It reads the files (not the generator's memory), so it describes what is actually on disk: councils,
families by status, people by role, records per source, the error rates realised, twins and juniors,
and the true effects. Counts only: no names or identifiers are printed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from famlink.errors import InputFileError

_HEADLINE_ERRORS = (
    "nickname",
    "first_name_typo",
    "surname_typo",
    "dob_day_month_swap",
    "dob_missing",
    "postcode_missing",
    "nhs_number_missing",
    "nino_missing",
    "upn_missing",
)


def summarise_world(path: Path) -> str:
    """A multi-line text summary of the world in `path`."""
    path = Path(path)
    info_path = path / "world.json"
    if not info_path.is_file():
        raise InputFileError(
            "this folder holds no synthetic world (world.json is missing)",
            where=str(path),
            fix="run `famlink synth --out DIR` first",
        )
    info: dict[str, Any] = json.loads(info_path.read_text(encoding="utf-8"))
    con = duckdb.connect()
    lines = [f"Synthetic world in {path} (seed {info['parameters']['seed']})", ""]
    lines += _councils(info)
    lines += _families(con, path)
    lines += _people(con, path)
    lines += _records(con, path)
    lines += _errors(info)
    lines += _effects(info)
    return "\n".join(lines)


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple[Any, ...]]:
    return con.execute(sql).fetchall()


def _councils(info: dict[str, Any]) -> list[str]:
    lines = [f"Councils: {len(info['councils'])}"]
    for c in info["councils"]:
        lines.append(
            f"  {c['code']} (LA code {c['la_code']}, postcodes {c['postcode_area']}): "
            f"{c['programme_families']} programme families, {c['known_background_families']} other local "
            f"families known to services, {c['background_families']} background families, "
            f"{c['people']} people"
        )
    return [*lines, ""]


def _families(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    families = f"'{path}/truth/families.parquet'"
    lines = ["Programme families by status:"]
    for status, eligible, count in _rows(
        con, f"select status, eligible, count(*) from {families} where programme group by all order by all"
    ):
        lines.append(f"  {status:<8} {'eligible' if eligible else 'not eligible':<13} {count:>9}")
    ((three_plus, mean_problems),) = _rows(
        con, f"select avg((children >= 3)::int), avg(problems_at_assessment) from {families} where programme"
    )
    lines.append(f"  with 3+ children: {three_plus:.0%}; mean problems at assessment: {mean_problems:.2f}")
    return [*lines, ""]


def _people(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    persons = f"'{path}/truth/persons.parquet'"
    lines = ["People by role (programme / background):"]
    for role, programme, background in _rows(
        con,
        f"select role, count(*) filter (where programme), count(*) filter (where not programme) "
        f"from {persons} group by role order by role",
    ):
        lines.append(f"  {role:<12} {programme:>9} / {background:>9}")
    ((twins, juniors, children, nhs, people),) = _rows(
        con,
        f"select count(twin_of), count(junior_of), count(*) filter (where role = 'child'), "
        f"count(nhs_number), count(*) from {persons}",
    )
    lines.append(f"  twins (younger of each pair): {twins} of {children} children; juniors: {juniors}")
    lines.append(f"  people with a 999-range NHS number: {nhs} of {people}")
    return [*lines, ""]


def _records(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    records = f"'{path}/truth/records.parquet'"
    lines = ["Person records per source (each maps to exactly one true person):"]
    for source, count, persons in _rows(
        con,
        f"select source, count(*), count(distinct person_id) from {records} group by source order by source",
    ):
        lines.append(f"  {source:<28} {count:>10} records of {persons:>10} people")
    return [*lines, ""]


def _errors(info: dict[str, Any]) -> list[str]:
    lines = ["Identifier errors realised (share of records):"]
    header = "  " + f"{'error':<20}" + "".join(f"{s:>10}" for s in info["realised_error_rates"])
    lines.append(header)
    for error in _HEADLINE_ERRORS:
        cells = "".join(f"{rates.get(error, 0.0):>10.2%}" for rates in info["realised_error_rates"].values())
        lines.append(f"  {error:<20}{cells}")
    return [*lines, ""]


def _effects(info: dict[str, Any]) -> list[str]:
    lines = ["True effects of joining (relative change after the start date; events removed):"]
    removed = info.get("events_removed_by_programme", {})
    for outcome, effect in info["true_effects"].items():
        if effect:
            lines.append(f"  {outcome:<22} {effect:+.0%}   ({removed.get(outcome, 0)} events prevented)")
    return lines
