"""Moving data in and out of a role store, only as sealed packages, each move audited.

Import is all-or-nothing: every check in `famlink.exchange.package.open_package` runs before the
store is touched, then all tables and the package's entry in the import register are written in one
transaction, so a crash leaves either the whole package or none of it, and a replay is refused by
the register's primary key even if two imports race.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from famlink.agreement.model import Agreement
from famlink.errors import AgreementError, PackageRefusedError, StoreError
from famlink.exchange.manifest import PACKAGE_SUFFIX, Manifest, read_header
from famlink.exchange.package import open_package, seal_package
from famlink.tabular import atomic_path

if TYPE_CHECKING:
    from famlink.governance.store import RoleStore

IMPORTS = "famlink_imports"
EXPORTS = "famlink_exports"
PACKAGE_COLUMN = "_package_id"
_BARE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: the package, its flow, and the rows added to each table of `segment`."""

    package_id: str
    sender: str
    flow: str
    clause: str
    purpose: str
    segment: str
    rows: dict[str, int]


@dataclass(frozen=True)
class ExportResult:
    """The sealed package written to the outbox, and its manifest."""

    path: Path
    manifest: Manifest


def _register_sql(catalog: str, name: str) -> str:
    return (
        f"CREATE TABLE IF NOT EXISTS {catalog}.{name} (package_id VARCHAR PRIMARY KEY, party VARCHAR, "
        "flow VARCHAR, clause VARCHAR, purpose VARCHAR, recorded_at TIMESTAMPTZ, row_count BIGINT, "
        "segment VARCHAR)"
    )


def _has_table(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = ?", [catalog, table]
    ).fetchall()
    return bool(found[0][0])


def imported_package_ids(store: RoleStore) -> set[str]:
    """Every package id this store has imported, across all its segments."""
    ids: set[str] = set()
    with store.session() as con:
        for segment in store.segments:
            catalog = store.alias(segment)
            if _has_table(con, catalog, IMPORTS):
                ids.update(
                    r[0] for r in con.execute(f"SELECT package_id FROM {catalog}.{IMPORTS}").fetchall()
                )
    return ids


def pending_packages(store: RoleStore, flow: str | None = None) -> list[Path]:
    """Inbox packages not yet imported, oldest first by manifest time."""
    done = imported_package_ids(store)
    waiting = []
    for path in store.inbox.glob(f"*{PACKAGE_SUFFIX}"):
        manifest = read_header(path).manifest
        if manifest.package_id not in done and (flow is None or manifest.flow == flow):
            waiting.append((manifest.created_at, path))
    return [path for _, path in sorted(waiting)]


def receive(store: RoleStore, package: Path) -> Path:
    """Copy a package into the inbox under its id; receiving the same package twice is harmless."""
    manifest = read_header(package).manifest
    target = store.inbox / f"{manifest.package_id}{PACKAGE_SUFFIX}"
    if not target.exists():
        with atomic_path(target) as tmp:
            shutil.copyfile(package, tmp)
    return target


def import_package(
    store: RoleStore,
    file: str | Path,
    agreement: Agreement,
    *,
    operator: str,
    purpose: str,
    segment: str = "main",
    as_of: date | datetime | None = None,
) -> ImportResult:
    """Open a sealed package addressed to this store and append its tables to `segment`."""
    source = Path(file)
    if segment not in store.segments:
        raise StoreError(f"no segment '{segment}' in this store", where=str(store.path))
    known = imported_package_ids(store)
    try:
        opened = open_package(
            source,
            agreement=agreement,
            recipient_keys=store.keys(),
            already_imported=known.__contains__,
            as_of=as_of,
        )
    except (PackageRefusedError, AgreementError) as refusal:
        _audit_refusal(store, source, refusal, operator=operator, purpose=purpose)
        raise
    manifest = opened.manifest
    rows = {name: table.num_rows for name, table in opened.tables.items()}
    _write_tables(store, segment, manifest, opened.tables)
    store.audit.append(
        "import",
        operator=operator,
        purpose=purpose,
        package_id=manifest.package_id,
        rows=sum(rows.values()),
        details={
            "sender": manifest.sender,
            "flow": manifest.flow,
            "clause": manifest.clause,
            "segment": segment,
            "tables": rows,
        },
    )
    return ImportResult(
        manifest.package_id, manifest.sender, manifest.flow, manifest.clause, manifest.purpose, segment, rows
    )


def _audit_refusal(
    store: RoleStore,
    source: Path,
    refusal: PackageRefusedError | AgreementError,
    *,
    operator: str,
    purpose: str,
) -> None:
    try:
        package_id: str | None = read_header(source).manifest.package_id
    except PackageRefusedError:
        package_id = None
    store.audit.append(
        "import_refused",
        operator=operator,
        purpose=purpose,
        package_id=package_id,
        details={"reason": refusal.what, "kind": type(refusal).__name__},
    )


def _write_tables(store: RoleStore, segment: str, manifest: Manifest, tables: Mapping[str, pa.Table]) -> None:
    catalog = store.alias(segment)
    now = datetime.now(UTC)
    with store.session() as con:
        con.execute(_register_sql(catalog, IMPORTS))
        con.execute("BEGIN TRANSACTION")
        try:
            for name, table in tables.items():
                _append(con, catalog, name, table, manifest.package_id)
            con.execute(
                f"INSERT INTO {catalog}.{IMPORTS} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    manifest.package_id,
                    manifest.sender,
                    manifest.flow,
                    manifest.clause,
                    manifest.purpose,
                    now,
                    manifest.total_rows,
                    segment,
                ],
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(
                f"package {manifest.package_id} could not be added to the store; nothing was written",
                where=str(store.path),
                fix="a table of that name may already hold different columns: import into another segment",
            ) from exc
        if segment != "main":
            main = store.alias("main")
            con.execute(_register_sql(main, IMPORTS))
            con.execute(
                f"INSERT OR IGNORE INTO {main}.{IMPORTS} VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    manifest.package_id,
                    manifest.sender,
                    manifest.flow,
                    manifest.clause,
                    manifest.purpose,
                    now,
                    manifest.total_rows,
                    segment,
                ],
            )


def _append(
    con: duckdb.DuckDBPyConnection, catalog: str, name: str, table: pa.Table, package_id: str
) -> None:
    con.register("famlink_incoming", table)
    try:
        select = f"SELECT *, ? AS {PACKAGE_COLUMN} FROM famlink_incoming"
        if _has_table(con, catalog, name):
            con.execute(f'INSERT INTO {catalog}."{name}" BY NAME {select}', [package_id])
        else:
            con.execute(f'CREATE TABLE {catalog}."{name}" AS {select}', [package_id])
    finally:
        con.unregister("famlink_incoming")


def export_package(
    store: RoleStore,
    tables: Mapping[str, str | pa.Table],
    *,
    agreement: Agreement,
    recipient: str,
    purpose: str,
    flow: str,
    operator: str,
    as_of: date | datetime | None = None,
    export_key: str | None = None,
) -> ExportResult:
    """Seal tables (Arrow tables, store table names or SQL queries) to `recipient` into the outbox.

    `export_key` makes a step idempotent: if this store already sealed a package under the same key
    (e.g. 'cycle-2026-1/identifiers'), that package is returned instead of sealing a second one
    whose rows the recipient would otherwise import twice after a crash and re-run.
    """
    if export_key is not None:
        earlier = _earlier_export(store, export_key)
        if earlier is not None:
            return earlier
    resolved = _resolve_tables(store, tables)
    try:
        path, manifest = seal_package(
            resolved,
            agreement=agreement,
            sender_keys=store.keys(),
            recipient=recipient,
            purpose=purpose,
            flow=flow,
            out_dir=store.outbox,
            as_of=as_of,
        )
    except AgreementError as refusal:
        store.audit.append(
            "export_refused",
            operator=operator,
            purpose=purpose,
            details={"recipient": recipient, "flow": flow, "reason": refusal.what},
        )
        raise
    _register_export(store, manifest, export_key)
    store.audit.append(
        "export",
        operator=operator,
        purpose=purpose,
        package_id=manifest.package_id,
        rows=manifest.total_rows,
        details={
            "recipient": recipient,
            "flow": manifest.flow,
            "clause": manifest.clause,
            "tables": {n: t.rows for n, t in manifest.tables.items()},
        },
    )
    return ExportResult(path, manifest)


def _resolve_tables(store: RoleStore, tables: Mapping[str, str | pa.Table]) -> dict[str, pa.Table]:
    resolved: dict[str, pa.Table] = {}
    queries = {name: q for name, q in tables.items() if isinstance(q, str)}
    if queries:
        with store.session() as con:
            for name, query in queries.items():
                sql = f"SELECT * FROM {query}" if _BARE_NAME.match(query) else query
                resolved[name] = con.sql(sql).to_arrow_table()
    for name, value in tables.items():
        if isinstance(value, pa.Table):
            resolved[name] = value
    return {name: resolved[name] for name in tables}


def _exports_sql(catalog: str) -> str:
    return _register_sql(catalog, EXPORTS).removesuffix(")") + ", export_key VARCHAR UNIQUE)"


def _earlier_export(store: RoleStore, export_key: str) -> ExportResult | None:
    main = store.alias("main")
    with store.session() as con:
        if not _has_table(con, main, EXPORTS):
            return None
        found = con.execute(f"SELECT package_id FROM {main}.{EXPORTS} WHERE export_key = ?", [export_key])
        rows = found.fetchall()
    if not rows:
        return None
    path = store.outbox / f"{rows[0][0]}{PACKAGE_SUFFIX}"
    if not path.is_file():
        raise StoreError(
            f"export '{export_key}' was sealed before, but its package is no longer in the outbox",
            where=str(store.outbox),
            fix="if the recipient has it, nothing to do; otherwise restore the file from the outbox backup",
        )
    return ExportResult(path, read_header(path).manifest)


def _register_export(store: RoleStore, manifest: Manifest, export_key: str | None) -> None:
    main = store.alias("main")
    with store.session() as con:
        con.execute(_exports_sql(main))
        con.execute(
            f"INSERT INTO {main}.{EXPORTS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                manifest.package_id,
                manifest.recipient,
                manifest.flow,
                manifest.clause,
                manifest.purpose,
                datetime.now(UTC),
                manifest.total_rows,
                "main",
                export_key,
            ],
        )


def exported_package_ids(store: RoleStore) -> set[str]:
    """Package ids this store registered as sent.

    A package file in the outbox whose id is not here was sealed by a run that died before
    registering it; a re-run seals its own replacement, so the orphan must never be delivered
    (it would hand the recipient the same rows twice).
    """
    main = store.alias("main")
    with store.session() as con:
        if not _has_table(con, main, EXPORTS):
            return set()
        return {r[0] for r in con.execute(f"SELECT package_id FROM {main}.{EXPORTS}").fetchall()}
