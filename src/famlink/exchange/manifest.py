"""The plaintext, signed manifest at the head of every sealed package, and the file's header layout.

A package file is:

    FAMLINK-SEALED-PACKAGE/1\\n
    manifest: {compact JSON}\\n
    signature: ed25519 {base64 signature over the exact manifest JSON bytes}\\n
    \\n
    {age-encrypted payload: an uncompressed tar of one Parquet file per table}

The manifest stays readable without any key so that a gateway, an auditor or `famlink package
inspect` can see who sent what to whom under which clause, without being able to read a row. The
signature covers the manifest, and the manifest holds the payload's SHA-256, so one signature binds
both. Everything after the blank line is a standard age file: `tail -c +N FILE | age -d -i KEY`
(N = `header_bytes` + 1) then `tar x` gives the Parquet tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from famlink.errors import PackageRefusedError

MAGIC = b"FAMLINK-SEALED-PACKAGE/1\n"
MANIFEST_PREFIX = b"manifest: "
SIGNATURE_PREFIX = b"signature: ed25519 "
MAX_HEADER_LINE = 1 << 20
PACKAGE_SUFFIX = ".famlink"


class TableEntry(BaseModel):
    """One table in the payload: its exact columns, row count and the SHA-256 of its Parquet file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rows: int = Field(ge=0)
    columns: tuple[str, ...]
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(BaseModel):
    """What the package is: every field a recipient checks before it decrypts a byte."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str = "famlink-sealed-package/1"
    package_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    agreement_id: str
    sender: str
    recipient: str
    purpose: str
    flow: str
    clause: str
    created_at: str
    tables: dict[str, TableEntry]
    payload_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    payload_bytes: int = Field(ge=0)

    def to_line(self) -> bytes:
        return self.model_dump_json().encode("utf-8")

    @property
    def total_rows(self) -> int:
        return sum(t.rows for t in self.tables.values())


@dataclass(frozen=True)
class SealedHeader:
    """The parsed head of a package file: the manifest, its raw bytes (what was signed), the signature."""

    manifest: Manifest
    manifest_bytes: bytes
    signature: str | None
    header_bytes: int


def _refuse(path: Path, what: str, fix: str | None = None) -> PackageRefusedError:
    return PackageRefusedError(what, where=str(path), fix=fix or "ask the sender to seal the package again")


def read_header(path: str | Path) -> SealedHeader:
    """Parse the manifest and signature without touching the encrypted payload."""
    source = Path(path)
    if not source.is_file():
        raise PackageRefusedError("the package file does not exist", where=str(source), fix="check the path")
    with source.open("rb") as handle:
        if handle.read(len(MAGIC)) != MAGIC:
            raise _refuse(source, "this is not a famlink sealed package (unknown header)")
        manifest_line = handle.readline(MAX_HEADER_LINE)
        signature_line = handle.readline(MAX_HEADER_LINE)
        blank = handle.readline(2)
        header_bytes = handle.tell()
    if not manifest_line.startswith(MANIFEST_PREFIX) or not manifest_line.endswith(b"\n"):
        raise _refuse(source, "the package has no readable manifest")
    manifest_bytes = manifest_line[len(MANIFEST_PREFIX) : -1]
    try:
        manifest = Manifest.model_validate_json(manifest_bytes)
    except ValidationError as exc:
        raise _refuse(source, "the package manifest is malformed") from exc
    signature: str | None = None
    if signature_line.startswith(SIGNATURE_PREFIX) and signature_line.endswith(b"\n") and blank == b"\n":
        signature = signature_line[len(SIGNATURE_PREFIX) : -1].decode("ascii", errors="replace").strip()
    return SealedHeader(manifest, manifest_bytes, signature or None, header_bytes)


def header_for(manifest_bytes: bytes, signature: str) -> bytes:
    return MAGIC + MANIFEST_PREFIX + manifest_bytes + b"\n" + SIGNATURE_PREFIX + signature.encode() + b"\n\n"
