"""The append-only, hash-chained audit log every store keeps.

Each entry is one JSON line holding the SHA-256 of the previous line, so editing, deleting,
inserting or reordering any entry breaks the chain at a point `verify` can name. Entries describe
*what was done to how many rows, by whom, why*: never an identifier value. `append` refuses detail
keys that name identifier fields, as a guard against a caller passing one by mistake.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from famlink.contracts.person import IDENTIFIER_COLUMNS
from famlink.errors import AuditIntegrityError, ConfigError

GENESIS = "0" * 64
FORBIDDEN_DETAIL_KEYS = frozenset(IDENTIFIER_COLUMNS) | {"name", "dob", "address_line", "identifier"}


@dataclass(frozen=True)
class AuditEntry:
    """One recorded action. `rows` counts the rows touched; `details` holds non-identifying facts."""

    seq: int
    at: str
    action: str
    operator: str
    purpose: str
    package_id: str | None
    rows: int | None
    details: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass
class VerifyResult:
    """Outcome of checking a log: `problems` names each broken entry by sequence number and line."""

    entries: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _digest(body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class AuditLog:
    """An audit log file (JSON lines). Appends are fsynced so a crash cannot lose a recorded action."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _last(self) -> tuple[int, str]:
        if not self.path.exists() or self.path.stat().st_size == 0:
            return 0, GENESIS
        with self.path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            end = handle.tell()
            back = min(end, 65536)
            handle.seek(end - back)
            last_line = handle.read().rstrip(b"\n").split(b"\n")[-1]
        record = json.loads(last_line)
        return int(record["seq"]), str(record["hash"])

    def append(
        self,
        action: str,
        *,
        operator: str,
        purpose: str,
        package_id: str | None = None,
        rows: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Record one action; refuses details keyed by an identifier field name."""
        details = dict(details or {})
        leaked = FORBIDDEN_DETAIL_KEYS & set(details)
        if leaked:
            raise ConfigError(
                f"audit details may not carry identifier fields ({', '.join(sorted(leaked))})",
                fix="record counts or pseudonymous references instead",
            )
        if not operator or not purpose:
            raise ConfigError("every audited action needs an operator and a purpose")
        seq, prev = self._last()
        body: dict[str, Any] = {
            "seq": seq + 1,
            "at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "action": action,
            "operator": operator,
            "purpose": purpose,
            "package_id": package_id,
            "rows": rows,
            "details": details,
            "prev_hash": prev,
        }
        body["hash"] = _digest(body)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(body, sort_keys=True, ensure_ascii=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return AuditEntry(**body)

    def entries(self) -> list[AuditEntry]:
        """All entries in file order (does not verify; call `verify` for that)."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [AuditEntry(**json.loads(line)) for line in lines if line.strip()]

    def verify(self) -> VerifyResult:
        """Walk the chain; name every entry that was edited, deleted, inserted or moved."""
        if not self.path.exists():
            return VerifyResult(0, [f"no audit log at {self.path}"])
        lines = [ln for ln in self.path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        result = VerifyResult(len(lines))
        prev_hash, expected_seq = GENESIS, 1
        for line_no, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
                stated = record.pop("hash")
            except (json.JSONDecodeError, KeyError, AttributeError):
                result.problems.append(f"line {line_no}: not a valid audit entry")
                prev_hash, expected_seq = "", expected_seq + 1
                continue
            seq = record.get("seq")
            if _digest(record) != stated:
                result.problems.append(f"line {line_no} (entry {seq}): content edited (hash mismatch)")
            if record.get("prev_hash") != prev_hash:
                result.problems.append(
                    f"line {line_no} (entry {seq}): chain broken: an entry before it was deleted, "
                    "inserted, edited or moved"
                )
            if seq != expected_seq:
                result.problems.append(f"line {line_no}: expected entry {expected_seq}, found entry {seq}")
            prev_hash, expected_seq = stated, (seq if isinstance(seq, int) else expected_seq) + 1
        return result

    def verify_or_raise(self) -> VerifyResult:
        result = self.verify()
        if not result.ok:
            raise AuditIntegrityError(
                f"audit log does not verify: {len(result.problems)} problem(s); first: {result.problems[0]}",
                where=str(self.path),
                fix="treat the store as compromised and report it to the data protection officer",
            )
        return result
