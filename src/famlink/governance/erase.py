"""Delete every row that carries one of a set of references, in every table of a store segment.

Withdrawals and erasures must reach tables famlink adds later as well as today's: rather than
listing tables per role (a list that drifts), each party deletes by reference column across all of
its tables. Values never leave the database: they are passed as a registered Arrow table.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pyarrow as pa

_VALUES = "famlink_erase_values"


def tables_with_column(con: duckdb.DuckDBPyConnection, catalog: str, column: str) -> list[str]:
    """Base tables of `catalog` that have a column called `column`."""
    rows = con.execute(
        "SELECT DISTINCT c.table_name FROM duckdb_columns() c JOIN duckdb_tables() t "
        "ON t.database_name = c.database_name AND t.schema_name = c.schema_name "
        "AND t.table_name = c.table_name "
        "WHERE c.database_name = ? AND c.column_name = ? ORDER BY 1",
        [catalog, column],
    ).fetchall()
    return [r[0] for r in rows]


def delete_references(
    con: duckdb.DuckDBPyConnection,
    catalog: str,
    column: str,
    values: Iterable[str],
    skip: frozenset[str] = frozenset(),
) -> dict[str, int]:
    """Delete rows whose `column` is one of `values` in every table of `catalog` but `skip`."""
    wanted = sorted(set(values))
    if not wanted:
        return {}
    con.register(_VALUES, pa.table({"value": pa.array(wanted, pa.string())}))
    deleted: dict[str, int] = {}
    try:
        for table in tables_with_column(con, catalog, column):
            if table in skip:
                continue
            result = con.execute(
                f'DELETE FROM {catalog}."{table}" WHERE CAST("{column}" AS VARCHAR) IN '
                f"(SELECT value FROM {_VALUES})"
            ).fetchall()
            count = int(result[0][0]) if result else 0
            if count:
                deleted[table] = count
    finally:
        con.unregister(_VALUES)
    return deleted


def count_references(
    con: duckdb.DuckDBPyConnection, catalog: str, column: str, values: Iterable[str]
) -> dict[str, int]:
    """How many rows still carry one of `values` in each table of `catalog` (for checks and tests)."""
    wanted = sorted(set(values))
    if not wanted:
        return {}
    con.register(_VALUES, pa.table({"value": pa.array(wanted, pa.string())}))
    found: dict[str, int] = {}
    try:
        for table in tables_with_column(con, catalog, column):
            n = con.execute(
                f'SELECT count(*) FROM {catalog}."{table}" WHERE CAST("{column}" AS VARCHAR) IN '
                f"(SELECT value FROM {_VALUES})"
            ).fetchall()[0][0]
            if n:
                found[table] = int(n)
    finally:
        con.unregister(_VALUES)
    return found


def move_stray_table(con: duckdb.DuckDBPyConnection, source: str, target: str, table: str) -> int:
    """Move `table` (and its packages' import-register rows) from catalog `source` to `target`.

    A withdrawal package imported by a role's ordinary ingest step lands in `main`; moving it to the
    transient segment lets the withdrawal step process and shred it like any other.
    """
    if table not in {t for t in tables_with_column(con, source, "_package_id")}:
        return 0
    con.execute(f'CREATE TABLE IF NOT EXISTS {target}."{table}" AS SELECT * FROM {source}."{table}" LIMIT 0')
    con.execute(f'INSERT INTO {target}."{table}" BY NAME SELECT * FROM {source}."{table}"')
    register = "famlink_imports"
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {target}.{register} AS SELECT * FROM {source}.{register} LIMIT 0"
    )
    con.execute(
        f"INSERT INTO {target}.famlink_imports SELECT * FROM {source}.famlink_imports s "
        f'WHERE s.package_id IN (SELECT _package_id FROM {source}."{table}") '
        f"AND s.package_id NOT IN (SELECT package_id FROM {target}.famlink_imports)"
    )
    moved = int(con.execute(f'SELECT count(*) FROM {source}."{table}"').fetchall()[0][0])
    con.execute(f'DROP TABLE {source}."{table}"')
    return moved
