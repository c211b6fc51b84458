"""Where the risk model keeps its files inside the council's store, and who is acting and why.

Everything the model produces (the fitted models, the test evaluation, the review queue, the report,
the model card and transparency record) sits under `STORE/risk/`, and every action is recorded in the
store's hash-chained `STORE/audit.jsonl` with the operator and purpose, counts and queue item ids only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from famlink.errors import ConfigError, StoreError
from famlink.governance.audit import AuditLog
from famlink.governance.encrypted_db import new_database_key, write_key_file
from famlink.risk.queue import ReviewQueue
from famlink.risk.sources import refuse_foreign_store


@dataclass(frozen=True)
class Actor:
    """Who runs a command and for what purpose (both are written to the audit log)."""

    operator: str
    purpose: str

    @classmethod
    def resolve(cls, operator: str | None, purpose: str | None) -> Actor:
        """Flags win; otherwise FAMLINK_OPERATOR / FAMLINK_PURPOSE; otherwise refuse."""
        who = operator or os.environ.get("FAMLINK_OPERATOR", "")
        why = purpose or os.environ.get("FAMLINK_PURPOSE", "")
        if not who.strip() or not why.strip():
            raise ConfigError(
                "every risk-model command is audited and needs an operator and a purpose",
                fix="pass --operator and --purpose, or set FAMLINK_OPERATOR and FAMLINK_PURPOSE",
            )
        return cls(who.strip(), why.strip())


@dataclass(frozen=True)
class RiskStore:
    """The risk model's part of a council store."""

    root: Path

    @classmethod
    def open(cls, root: str | Path) -> RiskStore:
        path = Path(root)
        if path.exists() and not path.is_dir():
            raise ConfigError("--store must be a folder", where=str(path))
        path.mkdir(parents=True, exist_ok=True)
        refuse_foreign_store(path)
        (path / "risk").mkdir(exist_ok=True)
        return cls(path)

    @property
    def models(self) -> Path:
        return self.root / "risk" / "models.pkl"

    @property
    def evaluation(self) -> Path:
        return self.root / "risk" / "evaluation.json"

    @property
    def queue(self) -> Path:
        return self.root / "risk" / "review-queue.duckdb"

    @property
    def queue_key(self) -> Path:
        """Kept with the store's other keys, apart from the data, so a copy of `risk/` alone is unreadable."""
        return self.root / "keys" / "risk-review-queue.key"

    @property
    def plain_queue(self) -> Path:
        """Where famlink before 2026-11-22 kept the queue, unencrypted (moved on first open)."""
        return self.root / "risk" / "review-queue.sqlite"

    def review_queue(self) -> ReviewQueue:
        """The encrypted review queue, created with a fresh key on first use."""
        if not self.queue_key.is_file():
            if self.queue.exists():
                raise StoreError(
                    "the review queue's key no longer exists: the queue has been destroyed",
                    where=str(self.queue_key),
                    fix="restore the key from the council's key backup, or move the queue file away",
                )
            self.queue_key.parent.mkdir(parents=True, exist_ok=True)
            write_key_file(self.queue_key, new_database_key())
        queue = ReviewQueue(self.queue, self.queue_key.read_text(encoding="ascii").strip())
        if self.plain_queue.exists():
            queue.adopt_plain(self.plain_queue)
        return queue

    @property
    def report(self) -> Path:
        return self.root / "risk" / "report.html"

    @property
    def model_card(self) -> Path:
        return self.root / "risk" / "model-card.md"

    @property
    def transparency_record(self) -> Path:
        return self.root / "risk" / "atrs-record.json"

    @property
    def audit_log(self) -> AuditLog:
        return AuditLog(self.root / "audit.jsonl")

    def audit(self, action: str, actor: Actor, *, rows: int | None = None, **details: Any) -> None:
        self.audit_log.append(
            action, operator=actor.operator, purpose=actor.purpose, rows=rows, details=details
        )
