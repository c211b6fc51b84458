"""Seal tables into a signed, encrypted package, and open one only after every check has passed.

Opening follows a fixed order so that the cheapest and most telling refusal comes first, and so
that nothing is decrypted, let alone written, before the package has proved who sent it, to whom,
under which clause and that it is intact: recipient, sender known to the agreement, signature,
agreement (in force, flow, purpose, tables and columns), replay, payload checksum; then, in memory
only, the per-table checksums and the Parquet columns against the signed manifest.
"""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pyrage
from pyrage import x25519

from famlink.agreement.enforce import check_transfer
from famlink.agreement.model import Agreement
from famlink.errors import AgreementError, PackageRefusedError
from famlink.exchange.keys import PartyKeys, signature_is_valid
from famlink.exchange.manifest import (
    PACKAGE_SUFFIX,
    Manifest,
    SealedHeader,
    TableEntry,
    header_for,
    read_header,
)
from famlink.tabular import atomic_path


@dataclass(frozen=True)
class OpenedPackage:
    """A package that passed every check: its manifest and its tables, decrypted in memory only."""

    manifest: Manifest
    tables: dict[str, pa.Table]


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _recipient_key(agreement: Agreement, recipient: str) -> x25519.Recipient:
    party = agreement.party(recipient)
    if party is None or party.encryption_key is None:
        raise AgreementError(
            f"the agreement holds no encryption key for '{recipient}'",
            where=str(agreement.source) if agreement.source else None,
            fix=f"run `famlink agreement add-key` with {recipient}'s .pub file",
        )
    return x25519.Recipient.from_str(party.encryption_key)


def _require_own_key_in_agreement(agreement: Agreement, keys: PartyKeys) -> None:
    party = agreement.party(keys.party)
    if party is None or party.signing_key != keys.public().signing_key:
        raise AgreementError(
            f"the agreement does not hold this store's signing key for '{keys.party}'",
            fix="file this party's .pub with `famlink agreement add-key`; recipients would refuse it",
        )


def seal_package(
    tables: Mapping[str, pa.Table],
    *,
    agreement: Agreement,
    sender_keys: PartyKeys,
    recipient: str,
    purpose: str,
    flow: str,
    out_dir: str | Path,
    as_of: date | datetime | None = None,
) -> tuple[Path, Manifest]:
    """Check the agreement allows it, then write `<package_id>.famlink` into `out_dir` atomically."""
    columns = {name: list(table.column_names) for name, table in tables.items()}
    allowed = check_transfer(
        agreement,
        sender=sender_keys.party,
        recipient=recipient,
        purpose=purpose,
        flow_id=flow,
        tables=columns,
        as_of=as_of,
    )
    _require_own_key_in_agreement(agreement, sender_keys)
    recipient_key = _recipient_key(agreement, recipient)
    package_id = uuid.uuid4().hex
    entries: dict[str, TableEntry] = {}
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, table in tables.items():
            data = _parquet_bytes(table)
            entries[name] = TableEntry(
                rows=table.num_rows, columns=tuple(columns[name]), sha256=_sha256_bytes(data)
            )
            info = tarfile.TarInfo(f"{name}.parquet")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    payload = pyrage.encrypt(tar_buffer.getvalue(), [recipient_key])
    created = as_of if isinstance(as_of, datetime) else datetime.now(UTC)
    manifest = Manifest(
        package_id=package_id,
        agreement_id=agreement.id,
        sender=sender_keys.party,
        recipient=recipient,
        purpose=purpose,
        flow=allowed.id,
        clause=allowed.clause,
        created_at=created.isoformat(timespec="seconds"),
        tables=entries,
        payload_sha256=_sha256_bytes(payload),
        payload_bytes=len(payload),
    )
    manifest_bytes = manifest.to_line()
    target = Path(out_dir) / f"{package_id}{PACKAGE_SUFFIX}"
    with atomic_path(target) as tmp, tmp.open("wb") as handle:
        handle.write(header_for(manifest_bytes, sender_keys.sign(manifest_bytes)))
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    return target, manifest


def inspect_package(path: str | Path) -> SealedHeader:
    """The manifest and whether a signature is present: no key needed, nothing decrypted."""
    return read_header(path)


def open_package(
    path: str | Path,
    *,
    agreement: Agreement,
    recipient_keys: PartyKeys,
    already_imported: Callable[[str], bool],
    as_of: date | datetime | None = None,
) -> OpenedPackage:
    """Run every check, then decrypt in memory; raise PackageRefusedError/AgreementError on any failure."""
    source = Path(path)
    header = read_header(source)
    manifest = header.manifest
    if manifest.recipient != recipient_keys.party:
        raise PackageRefusedError(
            f"the package is addressed to '{manifest.recipient}', not to '{recipient_keys.party}'",
            where=str(source),
            fix="deliver it to its recipient; this store will not open it",
        )
    _check_signature(source, agreement, header)
    if manifest.agreement_id != agreement.id:
        raise AgreementError(
            f"the package was sealed under agreement '{manifest.agreement_id}', not '{agreement.id}'",
            where=str(source),
        )
    check_transfer(
        agreement,
        sender=manifest.sender,
        recipient=manifest.recipient,
        purpose=manifest.purpose,
        flow_id=manifest.flow,
        tables={name: entry.columns for name, entry in manifest.tables.items()},
        as_of=as_of,
    )
    if already_imported(manifest.package_id):
        raise PackageRefusedError(
            f"package {manifest.package_id} has already been imported into this store (replay)",
            where=str(source),
            fix="nothing to do: its rows are already here",
        )
    payload = _read_payload(source, header)
    return OpenedPackage(manifest, _decrypt_tables(source, manifest, payload, recipient_keys))


def _check_signature(source: Path, agreement: Agreement, header: SealedHeader) -> None:
    sender = agreement.party(header.manifest.sender)
    if sender is None:
        raise AgreementError(
            f"the sender '{header.manifest.sender}' is not a party to agreement '{agreement.id}'",
            where=str(source),
            fix="refuse packages from anyone the agreement does not name",
        )
    if header.signature is None:
        raise PackageRefusedError(
            "the package is not signed", where=str(source), fix="ask the sender to re-seal it"
        )
    if sender.signing_key is None:
        raise AgreementError(
            f"the agreement holds no signing key for '{sender.id}', so its signature cannot be checked",
            fix=f"file {sender.id}'s .pub with `famlink agreement add-key`",
        )
    if not signature_is_valid(sender.signing_key, header.manifest_bytes, header.signature):
        raise PackageRefusedError(
            f"the signature does not verify against {sender.id}'s key in the agreement",
            where=str(source),
            fix="the package was altered or not sealed by its stated sender: do not use it; tell the sender",
        )


def _read_payload(source: Path, header: SealedHeader) -> bytes:
    with source.open("rb") as handle:
        handle.seek(header.header_bytes)
        payload = handle.read()
    if (
        len(payload) != header.manifest.payload_bytes
        or _sha256_bytes(payload) != header.manifest.payload_sha256
    ):
        raise PackageRefusedError(
            "the encrypted payload does not match the checksum in the signed manifest",
            where=str(source),
            fix="the file was damaged or altered in transit: ask the sender to send it again",
        )
    return payload


def _decrypt_tables(source: Path, manifest: Manifest, payload: bytes, keys: PartyKeys) -> dict[str, pa.Table]:
    try:
        plain = pyrage.decrypt(payload, [keys.identity])
    except pyrage.DecryptError as exc:
        raise PackageRefusedError(
            "the payload cannot be decrypted with this store's key", where=str(source)
        ) from exc
    tables: dict[str, pa.Table] = {}
    with tarfile.open(fileobj=io.BytesIO(plain), mode="r") as archive:
        members = {m.name: m for m in archive.getmembers() if m.isfile()}
        expected = {f"{name}.parquet" for name in manifest.tables}
        if set(members) != expected:
            raise PackageRefusedError("the payload's tables differ from the manifest", where=str(source))
        for name, entry in manifest.tables.items():
            extracted = archive.extractfile(members[f"{name}.parquet"])
            data = extracted.read() if extracted else b""
            tables[name] = _checked_table(source, name, entry, data)
    return tables


def _checked_table(source: Path, name: str, entry: TableEntry, data: bytes) -> pa.Table:
    if _sha256_bytes(data) != entry.sha256:
        raise PackageRefusedError(
            f"table '{name}' does not match its checksum in the signed manifest", where=str(source)
        )
    table = pq.read_table(io.BytesIO(data))
    if tuple(table.column_names) != entry.columns or table.num_rows != entry.rows:
        raise PackageRefusedError(
            f"table '{name}' has different columns or rows than its manifest says", where=str(source)
        )
    return table
