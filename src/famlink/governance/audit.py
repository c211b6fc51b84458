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
HEAD_SUFFIX = ".head"
STORE_AUDIT_FILE = "audit.jsonl"
FORBIDDEN_DETAIL_KEYS = frozenset(IDENTIFIER_COLUMNS) | {"name", "dob", "address_line", "identifier"}


@dataclass(frozen=True)
class Actor:
    """Who is acting and why: every role step takes one and writes both into each audit entry."""

    operator: str
    purpose: str


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

    def raise_if_broken(self, path: str | Path) -> VerifyResult:
        """Raise AuditIntegrityError (exit code 6) naming the first problem, if there is any."""
        if not self.ok:
            raise AuditIntegrityError(
                f"audit log does not verify: {len(self.problems)} problem(s); first: {self.problems[0]}",
                where=str(path),
                fix="treat the store as compromised and report it to the data protection officer",
            )
        return self


def _digest(body: Mapping[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


class AuditLog:
    """An audit log file (JSON lines). Appends are fsynced so a crash cannot lose a recorded action."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    @classmethod
    def of(cls, store_or_file: str | Path) -> AuditLog:
        """The log of a store folder (`<store>/audit.jsonl`), or the log file itself."""
        target = Path(store_or_file)
        return cls(target / STORE_AUDIT_FILE if target.is_dir() else target)

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
        self._write_head(body["seq"], body["hash"])
        return AuditEntry(**body)

    def _write_head(self, seq: int, digest: str) -> None:
        """Keep the latest (seq, hash) beside the log: the chain alone cannot show a cut-off tail."""
        head = self.path.with_name(self.path.name + HEAD_SUFFIX)
        tmp = head.with_name(head.name + ".partial")
        tmp.write_text(json.dumps({"seq": seq, "hash": digest}) + "\n", encoding="utf-8")
        os.replace(tmp, head)

    def entries(self) -> list[AuditEntry]:
        """All entries in file order (does not verify; call `verify` for that)."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [AuditEntry(**json.loads(line)) for line in lines if line.strip()]

    def verify(self) -> VerifyResult:
        """Walk the chain; say which entries were edited, deleted, inserted or moved, and where."""
        if not self.path.exists():
            return VerifyResult(0, [f"no audit log at {self.path}"])
        lines = [ln for ln in self.path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        result = VerifyResult(len(lines))
        records = [_parse_entry(line) for line in lines]
        all_seqs = [r.get("seq") for r in records if r]
        prev_hash, expected_seq = GENESIS, 1
        seen: set[Any] = set()
        for line_no, record in enumerate(records, start=1):
            if record is None:
                result.problems.append(f"line {line_no}: not a valid audit entry (inserted or damaged)")
                prev_hash = ""
                continue
            seq, stated = record.get("seq"), str(record.get("hash"))
            body = {k: v for k, v in record.items() if k != "hash"}
            if _digest(body) != stated:
                result.problems.append(f"line {line_no} (entry {seq}): content edited (hash mismatch)")
            elif record.get("prev_hash") != prev_hash or seq != expected_seq:
                result.problems.append(_diagnose(line_no, seq, expected_seq, seen, all_seqs))
            seen.add(seq)
            prev_hash = stated
            expected_seq = (seq if isinstance(seq, int) else expected_seq) + 1
        result.problems.extend(self._check_head(records))
        return result

    def _check_head(self, records: list[dict[str, Any] | None]) -> list[str]:
        """Compare the last entry with the sidecar head, which catches entries cut from the end."""
        head_path = self.path.with_name(self.path.name + HEAD_SUFFIX)
        if not head_path.exists():
            return []
        try:
            head = json.loads(head_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return [f"{head_path.name}: the head record is damaged"]
        last = next((r for r in reversed(records) if r is not None), None)
        last_seq = last.get("seq") if last else 0
        if isinstance(last_seq, int) and last_seq < head.get("seq", 0):
            first, final = last_seq + 1, head["seq"]
            span = f"entry {first}" if first == final else f"entries {first} to {final}"
            return [f"{span} deleted from the end of the log"]
        if last is not None and last_seq == head.get("seq") and last.get("hash") != head.get("hash"):
            return [f"entry {last_seq}: the last entry was replaced (it differs from the recorded head)"]
        return []

    def verify_or_raise(self) -> VerifyResult:
        return self.verify().raise_if_broken(self.path)


def _parse_entry(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) and "hash" in record else None


def _diagnose(line_no: int, seq: Any, expected: int, seen: set[Any], all_seqs: list[Any]) -> str:
    """Name the likely kind of tampering from the sequence numbers around a break in the chain."""
    at = f"line {line_no} (entry {seq})"
    if not isinstance(seq, int):
        return f"{at}: inserted (no sequence number)"
    if seq in seen or all_seqs.count(seq) > 1:
        return f"{at}: inserted (a second entry numbered {seq})"
    if seq < expected:
        return f"{at}: moved (entry {seq} appears after entry {expected - 1})"
    if seq > expected:
        missing = [n for n in range(expected, seq) if n not in all_seqs]
        if missing:
            span = f"{missing[0]}" if len(missing) == 1 else f"{missing[0]} to {missing[-1]}"
            return f"{at}: entry {span} deleted before it"
        return f"{at}: moved (entries {expected} to {seq - 1} appear later in the file)"
    return f"{at}: chain broken: the entry before it was replaced or inserted"
