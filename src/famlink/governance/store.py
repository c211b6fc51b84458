"""A role's store: its databases (encrypted at rest), inbox, outbox, keys and audit log, in one folder.

    <store>/store.json        role, party, segments, when created (no secrets)
    <store>/keys/             the party's private keys and one key per database segment (all 0600)
    <store>/data/<seg>.duckdb one DuckDB file per segment, encrypted with that segment's key
    <store>/inbox/ outbox/    sealed packages received and sent
    <store>/audit.jsonl       the hash-chained audit log

Why segments: retention differs by holding (a department keeps request identifiers one month, its
own records for ever), and crypto-shredding works per key. Each segment is a separate database file
with its own key, attached under its name; `main` is the default. Destroying a segment's key makes
that file, and every backup of it, unreadable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from famlink.agreement.model import Agreement, Role
from famlink.errors import StoreError
from famlink.exchange.keys import PartyKeys, create_party_keys, keys_exist, load_party_keys
from famlink.governance import transfers
from famlink.governance.audit import AuditLog
from famlink.governance.encrypted_db import (
    SharedDatabase,
    attach,
    new_database_key,
    open_database,
    release_database,
    shared_database,
    shred_file,
    write_key_file,
)
from famlink.governance.transfers import ExportResult, ImportResult

STORE_FILE = "store.json"
MAIN = "main_db"
_SEGMENT = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
_RESERVED = {"main", "temp", "system", "memory"}


@dataclass(frozen=True)
class Segment:
    """One database file of the store, and whether it is encrypted."""

    name: str
    encrypted: bool
    created_at: str


class RoleStore:
    """Open with `RoleStore.create` or `RoleStore.open`; every data-touching method writes the audit log."""

    def __init__(self, path: Path, meta: dict[str, Any], keys_dir: Path) -> None:
        self.path = path
        self._meta = meta
        self.keys_dir = keys_dir
        self.audit = AuditLog(path / "audit.jsonl")
        self.crypto_module: str | None = None
        self._uses_database = False

    # ---- identity -------------------------------------------------------------------------------
    @property
    def role(self) -> Role:
        return Role(self._meta["role"])

    @property
    def party(self) -> str:
        return str(self._meta["party"])

    @property
    def inbox(self) -> Path:
        return self.path / "inbox"

    @property
    def outbox(self) -> Path:
        return self.path / "outbox"

    @property
    def segments(self) -> dict[str, Segment]:
        return {name: Segment(name, **info) for name, info in self._meta["segments"].items()}

    def keys(self) -> PartyKeys:
        """The party's private keys (for sealing and opening packages)."""
        return load_party_keys(self.keys_dir)

    # ---- create and open ------------------------------------------------------------------------
    @classmethod
    def create(
        cls,
        path: str | Path,
        *,
        role: Role | str,
        party: str,
        operator: str,
        encrypted: bool = True,
        keys_dir: str | Path | None = None,
    ) -> RoleStore:
        """Make a new store (and the party's keys, unless `famlink keys new` already made them)."""
        root = Path(path)
        if _finished_store(root):
            raise StoreError("a store already exists here", where=str(root), fix="open it instead")
        role = Role(role)
        folder = Path(keys_dir) if keys_dir else root / "keys"
        if not keys_exist(folder):
            create_party_keys(party, folder)
        elif load_party_keys(folder).party != party:
            raise StoreError(
                f"the keys in this folder belong to another party, not '{party}'", where=str(folder)
            )
        for sub in ("data", "inbox", "outbox"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        meta: dict[str, Any] = {"format": 1, "role": role.value, "party": party, "segments": {}}
        meta["created_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        store = cls(root, meta, folder)
        store._save_meta()
        store.add_segment("main", operator=operator, purpose="store administration", encrypted=encrypted)
        store.audit.append(
            "store_created",
            operator=operator,
            purpose="store administration",
            details={"role": role.value, "party": party, "encrypted": encrypted},
        )
        return store

    @classmethod
    def open(
        cls, path: str | Path, *, role: Role | str | None = None, keys_dir: str | Path | None = None
    ) -> RoleStore:
        """Open an existing store; refuses another role's store and keys that are not this store's."""
        root = Path(path)
        meta_file = root / STORE_FILE
        if not meta_file.is_file():
            raise StoreError(
                "no famlink store here", where=str(root), fix="check the path or create the store"
            )
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        if role is not None and Role(role).value != meta["role"]:
            raise StoreError(
                f"this is a {meta['role']} store, not a {Role(role).value} store",
                where=str(root),
                fix="each role opens only its own store",
            )
        store = cls(root, meta, Path(keys_dir) if keys_dir else root / "keys")
        if store.keys().party != meta["party"]:
            raise StoreError("these keys belong to another party than the store's", where=str(store.keys_dir))
        return store

    def _save_meta(self) -> None:
        tmp = self.path / f".{STORE_FILE}.partial"
        tmp.write_text(json.dumps(self._meta, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(self.path / STORE_FILE)

    # ---- segments -------------------------------------------------------------------------------
    def _segment_file(self, name: str) -> Path:
        return self.path / "data" / f"{name}.duckdb"

    def _segment_key_file(self, name: str) -> Path:
        return self.keys_dir / f"db-{name}.key"

    def add_segment(self, name: str, *, operator: str, purpose: str, encrypted: bool = True) -> Segment:
        """Create a separately keyed database (e.g. 'match_request') that can be shredded on its own."""
        if not _SEGMENT.match(name) or name in self.segments or (name in _RESERVED and name != "main"):
            raise StoreError(f"segment name '{name}' is invalid or already used", where=str(self.path))
        self._remove_unfinished_segment(name)
        database = self._database()
        if encrypted:
            write_key_file(self._segment_key_file(name), new_database_key())
        attach(database.con, self._segment_file(name), _alias(name), self._read_key(name, encrypted))
        database.con.execute(f"CHECKPOINT {_alias(name)}")
        module = database.crypto_module
        created = datetime.now(UTC).isoformat(timespec="seconds")
        self._meta["segments"][name] = {"encrypted": encrypted, "created_at": created}
        self._save_meta()
        self.audit.append(
            "segment_created",
            operator=operator,
            purpose=purpose,
            details={"segment": name, "encrypted": encrypted, "crypto": module if encrypted else None},
        )
        return self.segments[name]

    def _remove_unfinished_segment(self, name: str) -> None:
        """Clear a key and file left by a crash mid-`add_segment`: no data can be in them, since a
        segment is attached (and so writable) only once store.json lists it."""
        self._segment_key_file(name).unlink(missing_ok=True)
        for leftover in self.path.glob(f"data/{name}.duckdb*"):
            leftover.unlink()

    def _read_key(self, name: str, encrypted: bool) -> str | None:
        if not encrypted:
            return None
        key_file = self._segment_key_file(name)
        if not key_file.is_file():
            raise StoreError(
                f"the key of segment '{name}' no longer exists: its data has been destroyed",
                where=str(key_file),
            )
        return key_file.read_text(encoding="ascii").strip()

    def destroy_segment(self, name: str, *, operator: str, purpose: str, reason: str) -> None:
        """Crypto-shred a segment: destroy its key first, then delete its file (and write-ahead log)."""
        segment = self.segments.get(name)
        if segment is None:
            raise StoreError(f"no segment '{name}' in this store", where=str(self.path))
        database = open_database(self.path)
        if database is not None:
            database.con.execute(f"DETACH {_alias(name)}")
        shred_file(self._segment_key_file(name))
        for leftover in self.path.glob(f"data/{name}.duckdb*"):
            leftover.unlink()
        del self._meta["segments"][name]
        self._save_meta()
        self.audit.append(
            "destroyed",
            operator=operator,
            purpose=purpose,
            details={"segment": name, "method": "key destroyed, file deleted", "reason": reason},
        )

    # ---- connections ----------------------------------------------------------------------------
    def _database(self) -> SharedDatabase:
        database = shared_database(self.path, self.keys_dir, self._attach_segments)
        if not self._uses_database:
            database.users += 1
            self._uses_database = True
        self.crypto_module = database.crypto_module
        return database

    def _attach_segments(self, con: duckdb.DuckDBPyConnection) -> None:
        for name, segment in self.segments.items():
            attach(con, self._segment_file(name), _alias(name), self._read_key(name, segment.encrypted))

    def connect(
        self, *, operator: str | None = None, purpose: str | None = None
    ) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with every segment attached by name; `main` is the default schema.

        Tables live in segment `main` unless qualified, e.g. `match_request.requests`. Connections
        are cursors on one instance per store per process, so several may be open at once; close
        each when done (or use `session()`), and `close()` the store to release its files. Role code
        passes `operator` and `purpose`, which records an 'access' entry; famlink's own bookkeeping
        (the registers) connects without.
        """
        if (operator is None) != (purpose is None):
            raise StoreError("give both operator and purpose, or neither", where=str(self.path))
        if operator is not None and purpose is not None:
            self.audit.append("access", operator=operator, purpose=purpose)
        cursor = self._database().con.cursor()
        cursor.execute(f"USE {_alias('main')}")
        return cursor

    @contextmanager
    def session(
        self, *, operator: str | None = None, purpose: str | None = None
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """`connect()` as a context manager that always closes the connection."""
        con = self.connect(operator=operator, purpose=purpose)
        try:
            yield con
        finally:
            con.close()

    def close(self) -> None:
        """Release the store's database files (checkpointed, once every RoleStore on it has closed)."""
        if self._uses_database:
            self._uses_database = False
            release_database(self.path)

    def __enter__(self) -> RoleStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self, sql: str, *, operator: str, purpose: str, what: str) -> pa.Table:
        """Run a query and record the read (a label and the row count, never the SQL or values)."""
        with self.session() as con:
            table = con.sql(sql).to_arrow_table()
        self.audit.append(
            "read", operator=operator, purpose=purpose, rows=table.num_rows, details={"what": what}
        )
        return table

    def record(
        self, action: str, *, operator: str, purpose: str, rows: int | None = None, **details: Any
    ) -> None:
        """Write one audit entry for a step done on this store's data (match, withdrawal, ...)."""
        self.audit.append(action, operator=operator, purpose=purpose, rows=rows, details=details)

    def alias(self, segment: str) -> str:
        """The catalog name a segment is attached under in `connect()`."""
        return _alias(segment)

    # ---- packages: see famlink.governance.transfers --------------------------------------------
    def import_package(
        self,
        file: str | Path,
        agreement: Agreement,
        *,
        operator: str,
        purpose: str,
        segment: str = "main",
        as_of: date | datetime | None = None,
    ) -> ImportResult:
        """Check and import a sealed package into `segment`; refuses with nothing written."""
        return transfers.import_package(
            self, file, agreement, operator=operator, purpose=purpose, segment=segment, as_of=as_of
        )

    def export_package(
        self,
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
        """Seal tables to `recipient` under `flow` into the outbox (refused if the agreement forbids it).

        Pass `export_key` to make the step idempotent: a second call returns the first package.
        """
        return transfers.export_package(
            self,
            tables,
            agreement=agreement,
            recipient=recipient,
            purpose=purpose,
            flow=flow,
            operator=operator,
            as_of=as_of,
            export_key=export_key,
        )

    def imported_package_ids(self) -> set[str]:
        return transfers.imported_package_ids(self)

    def pending_packages(self, flow: str | None = None) -> list[Path]:
        """Packages waiting in the inbox that this store has not imported yet (optionally one flow's)."""
        return transfers.pending_packages(self, flow)

    def receive(self, package: str | Path) -> Path:
        """Take delivery of a package: copy it into the inbox (atomically), named by its package id."""
        return transfers.receive(self, Path(package))

    def import_inbox(
        self,
        agreement: Agreement,
        *,
        operator: str,
        purpose: str,
        flow: str | None = None,
        segment: str = "main",
        as_of: date | datetime | None = None,
    ) -> list[ImportResult]:
        """Import every pending inbox package (of `flow`, if given); stops at the first refusal."""
        return [
            self.import_package(
                p, agreement, operator=operator, purpose=purpose, segment=segment, as_of=as_of
            )
            for p in self.pending_packages(flow)
        ]


def _finished_store(root: Path) -> bool:
    """True once a store's main segment exists: a crash earlier in `create` can simply be re-run."""
    meta_file = root / STORE_FILE
    return meta_file.is_file() and "main" in json.loads(meta_file.read_text(encoding="utf-8"))["segments"]


def _alias(segment: str) -> str:
    """DuckDB reserves 'main' as a schema name, so segment 'main' is attached as 'main_db'."""
    return MAIN if segment == "main" else segment
