"""Readers for the separation and truth tests: every table of a store, every package of a study.

A store is read through its own keys (all segments attached), a package is opened with its
recipient's keys, exactly as that party could. Values are normalised (upper case, no spaces) so that
'sw1a 1aa' in one place and 'SW1A1AA' in another count as the same identifier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from famlink.agreement import load_agreement
from famlink.contracts.person import IDENTIFIER_COLUMNS
from famlink.exchange.keys import load_party_keys
from famlink.exchange.manifest import PACKAGE_SUFFIX, Manifest, read_header
from famlink.exchange.package import open_package
from famlink.governance.store import RoleStore
from famlink.roles.department.holdings import DEPARTMENTS

VALUE_COLUMNS = ("nhs_number", "nino", "upn", "postcode", "surname", "first_name")
OUTCOME_SIGNATURES: list[frozenset[str]] = [
    frozenset(t.columns) for d in DEPARTMENTS.values() for t in d.tables
]
_SYSTEM_CATALOGS = ("system", "temp")


@dataclass(frozen=True)
class Package:
    """A package of the run, opened with its recipient's keys."""

    manifest: Manifest
    tables: dict[str, pa.Table]


def normalised(values: Iterable[object]) -> set[str]:
    return {str(v).upper().replace(" ", "") for v in values if v is not None and str(v).strip()}


def store_tables(path: Path) -> dict[str, pa.Table]:
    """Every table in every segment of a store, keyed 'catalog.table'."""
    store = RoleStore.open(path)
    try:
        with store.session() as con:
            names = con.execute(
                "SELECT database_name, schema_name, table_name FROM duckdb_tables() "
                "WHERE database_name NOT IN ('system', 'temp') ORDER BY ALL"
            ).fetchall()
            return {
                f"{db}.{table}": con.sql(f'SELECT * FROM {db}.{schema}."{table}"').to_arrow_table()
                for db, schema, table in names
            }
    finally:
        store.close()


def study_packages(root: Path, as_of: date) -> list[Package]:
    """Every package in any store's inbox or outbox, each opened once with its recipient's keys."""
    agreement = load_agreement(root / "agreement" / "agreement.yaml")
    files: dict[str, Path] = {}
    for file in sorted((root / "stores").glob(f"*/*box/*{PACKAGE_SUFFIX}")):
        files.setdefault(read_header(file).manifest.package_id, file)
    opened = []
    for file in files.values():
        recipient = read_header(file).manifest.recipient
        keys = load_party_keys(root / "stores" / recipient / "keys")
        package = open_package(
            file, agreement=agreement, recipient_keys=keys, already_imported=lambda _: False, as_of=as_of
        )
        opened.append(Package(package.manifest, package.tables))
    return opened


def world_identifier_values(world: Path) -> set[str]:
    """Every NHS number, NINO, UPN, postcode, surname and first name in the world's source files."""
    files = [*world.glob("councils/*/case_list.parquet"), *world.glob("councils/*/local/people.parquet")]
    files += list(world.glob("departments/*/people.parquet"))
    values: set[str] = set()
    for file in files:
        table = pq.read_table(file)
        for column in VALUE_COLUMNS:
            if column in table.column_names:
                values |= normalised(table.column(column).to_pylist())
    return values


def string_values(table: pa.Table) -> set[str]:
    """Every value of every string column of a table, normalised."""
    found: set[str] = set()
    for field in table.schema:
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            found |= normalised(pc.unique(table.column(field.name)).to_pylist())
    return found


def identifier_columns(table: pa.Table) -> set[str]:
    return set(table.column_names) & set(IDENTIFIER_COLUMNS)


def holds_outcomes(table: pa.Table) -> bool:
    """True when a table carries the columns of one of the departments' outcome tables."""
    columns = set(table.column_names)
    return any(signature <= columns for signature in OUTCOME_SIGNATURES)
