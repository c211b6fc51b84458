"""DuckDB connections to a store's databases, encrypted at rest with DuckDB's own database encryption.

DuckDB 2.0 encrypts a database file with AES-256-GCM when it is attached with `ENCRYPTION_KEY`.
Writing an encrypted file needs a crypto module with a secure random source: DuckDB supplies one
through the `httpfs` extension (OpenSSL). Where `httpfs` is not installed (an offline machine),
DuckDB's built-in mbedTLS module can still encrypt if `force_mbedtls_unsafe` is set; DuckDB calls it
unsafe because its nonces come from a weaker random source, which weakens GCM against an attacker who
can collect many encrypted blocks written with the same key. famlink uses OpenSSL whenever `httpfs`
loads, falls back to mbedTLS otherwise, records which one in the store's audit log, and refuses the
fallback when `FAMLINK_DUCKDB_CRYPTO=openssl` (set this in production after `INSTALL httpfs`).
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from famlink.errors import StoreError

CRYPTO_ENV = "FAMLINK_DUCKDB_CRYPTO"
OPENSSL = "openssl (httpfs)"
MBEDTLS = "mbedtls (DuckDB marks it unsafe for writing: weaker nonce randomness)"
KEY_BYTES = 32


def new_database_key() -> str:
    """A fresh 256-bit key as text (DuckDB takes the key as a string)."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


_httpfs_available: bool | None = None


def _remember_httpfs(available: bool) -> None:
    """Try loading httpfs once per process: a failed LOAD costs tens of milliseconds every time."""
    global _httpfs_available
    _httpfs_available = available


def open_connection() -> tuple[duckdb.DuckDBPyConnection, str]:
    """An in-memory connection able to write encrypted files, and the name of its crypto module."""
    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    if _httpfs_available is not False:
        try:
            con.execute("LOAD httpfs")
            _remember_httpfs(True)
            return con, OPENSSL
        except duckdb.Error:
            _remember_httpfs(False)
    if os.environ.get(CRYPTO_ENV, "auto").lower() == "openssl":
        con.close()
        raise StoreError(
            "DuckDB's httpfs extension (OpenSSL) is not installed, and this machine requires it",
            fix=f"run `INSTALL httpfs` in DuckDB once, or unset {CRYPTO_ENV} to allow the mbedTLS fallback",
        )
    con.execute("SET force_mbedtls_unsafe = 'true'")
    return con, MBEDTLS


def attach(con: duckdb.DuckDBPyConnection, file: Path, alias: str, key: str | None) -> None:
    """Attach one database file under `alias`, with its key if it is encrypted."""
    suffix = f" (ENCRYPTION_KEY {_quote(key)})" if key is not None else ""
    try:
        con.execute(f"ATTACH {_quote(str(file))} AS {alias}{suffix}")
    except duckdb.Error as exc:
        if any(word in str(exc).lower() for word in ("lock", "already attached")):
            raise StoreError(
                "the store is in use by another process",
                where=str(file),
                fix="wait for the other famlink command on this store to finish, then run this one again",
            ) from exc
        raise StoreError(
            f"the store database '{alias}' cannot be opened with this store's key",
            where=str(file),
            fix="open the store with its own role's key; if the key was destroyed the data is gone",
        ) from exc
    if key is not None:
        con.execute("SET temp_file_encryption = true")


@dataclass
class SharedDatabase:
    """One DuckDB instance per store per process, with the store's segments attached.

    DuckDB lets a process attach a database file once; every `RoleStore.connect()` is a cursor on
    this shared instance, so a role can hold a connection open and still import or export.
    """

    con: duckdb.DuckDBPyConnection
    crypto_module: str
    keys_dir: Path
    users: int = 0


_OPEN: dict[Path, SharedDatabase] = {}


def shared_database(
    root: Path, keys_dir: Path, attach_all: Callable[[duckdb.DuckDBPyConnection], None]
) -> SharedDatabase:
    """The process's instance for the store at `root`, opening it (and attaching) on first use."""
    found = _OPEN.get(root.resolve())
    if found is not None:
        if found.keys_dir != keys_dir.resolve():
            raise StoreError("the store is already open in this process with other keys", where=str(root))
        return found
    con, module = open_connection()
    try:
        attach_all(con)
    except Exception:
        con.close()
        raise
    opened = SharedDatabase(con, module, keys_dir.resolve())
    _OPEN[root.resolve()] = opened
    return opened


def open_database(root: Path) -> SharedDatabase | None:
    return _OPEN.get(root.resolve())


def release_database(root: Path) -> None:
    """One user is done with the store's instance; the last one out closes (and checkpoints) it."""
    found = _OPEN.get(root.resolve())
    if found is None:
        return
    found.users -= 1
    if found.users <= 0:
        del _OPEN[root.resolve()]
        found.con.close()


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_key_file(path: Path, key: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def shred_file(path: Path) -> None:
    """Overwrite then delete a key file, so the key cannot be recovered from this disk's free blocks.

    Overwriting is best effort (journaling and copy-on-write file systems may keep old blocks); the
    guarantee comes from the key existing nowhere else, so every copy of the database, including
    backups, is undecryptable once it is gone.
    """
    if not path.exists():
        return
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.write(secrets.token_bytes(max(size, KEY_BYTES)))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
