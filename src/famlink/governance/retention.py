"""Retention: each store's ledger of what it holds until when, and the sweep that destroys it.

The agreement's `retention` rules name a holder and a holding. In a store a holding is a segment of
the same name when there is one (a department's `match_request`); otherwise it is the store's main
segment for roles whose whole store is that holding (the agent's identifiers, research's linked
dataset), or named tables in the main segment (the council's export register).

Destroying a segment is crypto-shredding: its key is overwritten and deleted, then its file, so every
backup copy of the file becomes unreadable. When that segment is `main`, the sealed packages it was
imported from are deleted from the inbox too (they could be opened with the party's key), and an
empty `main` is created so the store, its audit log and its ledger carry on. Tables inside `main`
can only be deleted row by row; the certificate says so. Every destruction writes a certificate
(what, when, clause, row counts, operator; never an identifier) to the audit log and to a file.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from famlink.agreement.model import Agreement, Retention
from famlink.exchange.manifest import PACKAGE_SUFFIX, read_header
from famlink.governance.store import RoleStore

LEDGER_FILE = "retention.json"
CERTIFICATES = "certificates"
WHOLE_STORE_HOLDINGS = frozenset({"identifiers", "linked_dataset"})
TABLE_HOLDINGS: dict[str, tuple[str, ...]] = {"export_register": ("export_refs", "export_included")}


@dataclass(frozen=True)
class LedgerEntry:
    """One holding of one store: where it is, under which rule, since and until when."""

    holding: str
    rule: str
    clause: str
    location: str  # "segment:<name>" or "tables:<a,b>"
    held_since: str
    expires_on: str
    status: str  # "held", "destroyed" or "not held"
    destroyed_on: str | None = None


@dataclass(frozen=True)
class Certificate:
    """A destruction certificate: enough to show what was destroyed and why, and nothing identifying."""

    certificate_id: str
    party: str
    role: str
    holding: str
    rule: str
    clause: str
    held_since: str
    expires_on: str
    as_of: str
    destroyed_at: str
    operator: str
    purpose: str
    method: str
    rows: dict[str, int]
    packages_deleted: int


def _location(store: RoleStore, holding: str) -> str | None:
    if holding in store.segments:
        return f"segment:{holding}"
    if holding in WHOLE_STORE_HOLDINGS:
        return "segment:main"
    if holding in TABLE_HOLDINGS:
        return "tables:" + ",".join(TABLE_HOLDINGS[holding])
    return None


def _created(store: RoleStore, segment: str) -> date:
    return datetime.fromisoformat(store.segments[segment].created_at).date()


def _held_since(store: RoleStore, location: str) -> date:
    """When the data in a location arrived: its earliest import, else when its segment was made."""
    segment = location.removeprefix("segment:") if location.startswith("segment:") else "main"
    catalog = store.alias(segment)
    with store.session() as con:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = 'famlink_imports'",
            [catalog],
        ).fetchall()[0][0]
        first = None
        if found:
            first = con.execute(
                f"SELECT min(recorded_at) FROM {catalog}.famlink_imports WHERE segment = ?", [segment]
            ).fetchall()[0][0]
    return first.date() if first is not None else _created(store, segment)


def _rules_for(store: RoleStore, agreement: Agreement) -> list[Retention]:
    return [r for r in agreement.retention if agreement.covers(r.holder, store.party)]


def ledger(store: RoleStore, agreement: Agreement) -> list[LedgerEntry]:
    """The store's holdings now, with earlier destructions from the ledger file; saved back to it."""
    past = {e.holding: e for e in _read_ledger(store) if e.status == "destroyed"}
    entries: list[LedgerEntry] = []
    for rule in _rules_for(store, agreement):
        location = _location(store, rule.holding)
        if location is None:
            entries.append(past.get(rule.holding) or _not_held(rule))
            continue
        since = _held_since(store, location)
        earlier = past.get(rule.holding)
        if earlier is not None and earlier.destroyed_on and since.isoformat() <= earlier.destroyed_on:
            entries.append(earlier)
            continue
        entries.append(
            LedgerEntry(
                rule.holding,
                rule.id,
                rule.clause,
                location,
                since.isoformat(),
                rule.expires_on(since).isoformat(),
                "held",
            )
        )
    _write_ledger(store, entries)
    return entries


def _not_held(rule: Retention) -> LedgerEntry:
    return LedgerEntry(rule.holding, rule.id, rule.clause, "", "", "", "not held")


def _read_ledger(store: RoleStore) -> list[LedgerEntry]:
    path = store.path / LEDGER_FILE
    if not path.is_file():
        return []
    return [LedgerEntry(**e) for e in json.loads(path.read_text(encoding="utf-8"))["holdings"]]


def _write_ledger(store: RoleStore, entries: list[LedgerEntry]) -> None:
    path = store.path / LEDGER_FILE
    tmp = path.with_name(path.name + ".partial")
    body = {"party": store.party, "role": store.role.value, "holdings": [asdict(e) for e in entries]}
    tmp.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def sweep(
    store: RoleStore, agreement: Agreement, *, as_of: date, operator: str, purpose: str
) -> list[Certificate]:
    """Destroy every holding whose retention ended before `as_of`; one certificate per holding."""
    certificates = []
    entries = ledger(store, agreement)
    for entry in entries:
        if entry.status == "held" and date.fromisoformat(entry.expires_on) < as_of:
            certificates.append(_destroy(store, entry, as_of=as_of, operator=operator, purpose=purpose))
    if certificates:
        done = {c.holding: c.destroyed_at[:10] for c in certificates}
        _write_ledger(
            store,
            [
                LedgerEntry(**{**asdict(e), "status": "destroyed", "destroyed_on": done[e.holding]})
                if e.holding in done
                else e
                for e in entries
            ],
        )
    return certificates


def _count_rows(store: RoleStore, catalog: str, tables: tuple[str, ...] | None = None) -> dict[str, int]:
    with store.session() as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY 1", [catalog]
            ).fetchall()
        ]
        wanted = [n for n in names if tables is None or n in tables]
        return {n: int(con.execute(f'SELECT count(*) FROM {catalog}."{n}"').fetchall()[0][0]) for n in wanted}


def _destroy(
    store: RoleStore, entry: LedgerEntry, *, as_of: date, operator: str, purpose: str
) -> Certificate:
    reason = f"retention ended ({entry.rule}, clause {entry.clause})"
    deleted_packages = 0
    if entry.location.startswith("segment:"):
        segment = entry.location.removeprefix("segment:")
        rows = _count_rows(store, store.alias(segment))
        imported = _imported_into(store, segment)
        store.destroy_segment(segment, operator=operator, purpose=purpose, reason=reason)
        if segment == "main":
            deleted_packages = _delete_inbox_copies(store, imported)
            store.add_segment("main", operator=operator, purpose=purpose)
        method = "crypto-shredded: segment key overwritten and deleted, database file deleted"
    else:
        tables = tuple(entry.location.removeprefix("tables:").split(","))
        rows = _count_rows(store, store.alias("main"), tables)
        with store.session() as con:
            for table in rows:
                con.execute(f'DELETE FROM "{table}"')
            con.execute(f"CHECKPOINT {store.alias('main')}")
        method = "rows deleted (tables share the main segment's key, so backups expire with their cycle)"
    certificate = Certificate(
        certificate_id="DC" + secrets.token_hex(6),
        party=store.party,
        role=store.role.value,
        holding=entry.holding,
        rule=entry.rule,
        clause=entry.clause,
        held_since=entry.held_since,
        expires_on=entry.expires_on,
        as_of=as_of.isoformat(),
        destroyed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        operator=operator,
        purpose=purpose,
        method=method,
        rows=rows,
        packages_deleted=deleted_packages,
    )
    _file_certificate(store, certificate)
    return certificate


def _imported_into(store: RoleStore, segment: str) -> set[str]:
    catalog = store.alias(segment)
    with store.session() as con:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND table_name = 'famlink_imports'",
            [catalog],
        ).fetchall()[0][0]
        if not found:
            return set()
        return {r[0] for r in con.execute(f"SELECT package_id FROM {catalog}.famlink_imports").fetchall()}


def _delete_inbox_copies(store: RoleStore, package_ids: set[str]) -> int:
    """Sealed copies of destroyed data in the inbox could be reopened with the party's key: delete them."""
    deleted = 0
    for path in store.inbox.glob(f"*{PACKAGE_SUFFIX}"):
        if read_header(path).manifest.package_id in package_ids:
            path.unlink()
            deleted += 1
    return deleted


def _file_certificate(store: RoleStore, certificate: Certificate) -> Path:
    body: dict[str, Any] = asdict(certificate)
    store.audit.append(
        "destruction_certificate",
        operator=certificate.operator,
        purpose=certificate.purpose,
        rows=sum(certificate.rows.values()),
        details={k: v for k, v in body.items() if k not in ("operator", "purpose")},
    )
    folder = store.path / CERTIFICATES
    folder.mkdir(exist_ok=True)
    path = folder / f"{certificate.destroyed_at[:10]}-{certificate.holding}-{certificate.certificate_id}.json"
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
