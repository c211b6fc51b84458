"""The review queue: where flags wait for a practitioner, and the only place decisions are recorded.

Scoring may only *add items* here. Nothing in famlink acts on a score: the one function that turns a
flag into an action (`action_for`) takes a decision record, re-reads it from this database, and
returns an early-help offer for the practitioner to make only if they chose to offer early help. The
model never changes a case and never contacts anyone; a test walks the code to prove it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from famlink.errors import ConfigError, StoreError
from famlink.governance.encrypted_db import attach, open_connection, shred_file

DECISIONS = ("offer_early_help", "no_action", "disagree")
"""What a practitioner may decide: offer early help, take no action, or disagree with the flag."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS queue_items (
  item_id TEXT PRIMARY KEY, person_ref TEXT NOT NULL, reference_date TEXT NOT NULL,
  model_id TEXT NOT NULL, score DOUBLE NOT NULL, rank INTEGER NOT NULL, factors TEXT NOT NULL,
  created_at TEXT NOT NULL, UNIQUE (person_ref, reference_date, model_id));
CREATE TABLE IF NOT EXISTS decisions (
  item_id TEXT PRIMARY KEY REFERENCES queue_items(item_id),
  decision TEXT NOT NULL CHECK (decision IN ('offer_early_help', 'no_action', 'disagree')),
  reason TEXT NOT NULL CHECK (length(trim(reason)) > 0), practitioner TEXT NOT NULL,
  decided_at TEXT NOT NULL);
"""


@dataclass(frozen=True)
class QueueItem:
    item_id: str
    person_ref: str
    reference_date: str
    model_id: str
    score: float
    rank: int
    factors: list[dict[str, Any]]
    decision: str | None = None


@dataclass(frozen=True)
class DecisionRecord:
    """A practitioner's recorded decision on one flag."""

    item_id: str
    decision: str
    reason: str
    practitioner: str
    decided_at: str


@dataclass(frozen=True)
class EarlyHelpOffer:
    """What a practitioner chose to do: offer the family early help. famlink does not send it."""

    item_id: str
    person_ref: str
    decided_by: str
    reason: str


class ReviewQueue:
    """The review queue: an encrypted DuckDB file in the council's store, opened with its key."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = Path(path)
        self.key = key
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection with the queue attached as its default database, committed on success."""
        con, _ = open_connection()
        try:
            attach(con, self.path, "queue", self.key)
            con.execute("USE queue")
            con.execute("BEGIN TRANSACTION")
            yield con
            con.execute("COMMIT")
        finally:
            con.close()

    def adopt_plain(self, plain: Path) -> int:
        """Move the rows of an unencrypted SQLite queue (famlink before 2026-11-22) in, then shred the
        old file. Returns the number of items moved; decisions keep their original times. Re-running
        after a crash between the two steps is harmless (rows already moved are ignored)."""
        source = sqlite3.connect(plain)
        try:
            items = source.execute("SELECT * FROM queue_items").fetchall()
            decisions = source.execute("SELECT * FROM decisions").fetchall()
        finally:
            source.close()
        with self._connect() as con:
            if items:
                con.executemany("INSERT OR IGNORE INTO queue_items VALUES (?, ?, ?, ?, ?, ?, ?, ?)", items)
            if decisions:
                con.executemany("INSERT OR IGNORE INTO decisions VALUES (?, ?, ?, ?, ?)", decisions)
        for leftover in (plain, plain.with_name(plain.name + "-journal")):
            shred_file(leftover)
        return len(items)

    def add_flags(self, items: Sequence[dict[str, Any]]) -> list[str]:
        """Add flagged children (person_ref, reference_date, model_id, score, rank, factors); skip any
        already queued for the same date and model. Returns the new item ids."""
        added: list[str] = []
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._connect() as con:
            next_no = _one(con, "SELECT count(*) FROM queue_items") + 1
            for item in items:
                item_id = f"Q{next_no:06d}"
                inserted = _one(
                    con, "INSERT OR IGNORE INTO queue_items VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [item_id, item["person_ref"], item["reference_date"], item["model_id"],
                     float(item["score"]), int(item["rank"]), json.dumps(item["factors"]), now],
                )  # fmt: skip
                if inserted:
                    added.append(item_id)
                    next_no += 1
        return added

    def items(self, *, pending_only: bool = False) -> list[QueueItem]:
        sql = (
            "SELECT q.item_id, q.person_ref, q.reference_date, q.model_id, q.score, q.rank, q.factors, "
            "d.decision FROM queue_items q LEFT JOIN decisions d USING (item_id)"
        )
        if pending_only:
            sql += " WHERE d.decision IS NULL"
        sql += " ORDER BY q.reference_date, q.rank"
        with self._connect() as con:
            rows = con.execute(sql).fetchall()
        return [QueueItem(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7]) for r in rows]

    def record_decision(self, item_id: str, decision: str, reason: str, practitioner: str) -> DecisionRecord:
        """Record a practitioner's decision; every flag gets exactly one, with a reason."""
        if decision not in DECISIONS:
            raise ConfigError(f"unknown decision '{decision}'", fix=f"use one of: {', '.join(DECISIONS)}")
        if not reason.strip() or not practitioner.strip():
            raise ConfigError("a decision needs a reason and the practitioner who made it")
        record = DecisionRecord(
            item_id, decision, reason.strip(), practitioner.strip(), datetime.now(UTC).isoformat()
        )
        with self._connect() as con:
            exists = con.execute("SELECT 1 FROM queue_items WHERE item_id = ?", [item_id]).fetchone()
            if exists is None:
                raise StoreError(f"no queue item {item_id}", where=str(self.path), fix="list the queue")
            try:
                con.execute("INSERT INTO decisions VALUES (?, ?, ?, ?, ?)", list(record.__dict__.values()))
            except duckdb.ConstraintException as exc:
                raise StoreError(
                    f"queue item {item_id} already has a decision", fix="decisions are not overwritten"
                ) from exc
        return record

    def decision_for(self, item_id: str) -> DecisionRecord | None:
        with self._connect() as con:
            row = con.execute("SELECT * FROM decisions WHERE item_id = ?", [item_id]).fetchone()
        return DecisionRecord(*row) if row else None

    def decision_counts(self) -> dict[str, int]:
        with self._connect() as con:
            rows = con.execute("SELECT decision, count(*) FROM decisions GROUP BY decision").fetchall()
        counts = dict.fromkeys(DECISIONS, 0)
        counts.update({str(d): int(n) for d, n in rows})
        return counts


def _one(con: duckdb.DuckDBPyConnection, sql: str, parameters: list[Any] | None = None) -> int:
    row = con.execute(sql, parameters or []).fetchone()
    return int(row[0]) if row else 0


def action_for(queue: ReviewQueue, decision: DecisionRecord) -> EarlyHelpOffer | None:
    """The only way from a flag to an action: a recorded human decision to offer early help.

    The decision is re-read from the queue database, so a record made up in code (or altered after
    it was recorded) is refused. 'no_action' and 'disagree' lead to nothing.
    """
    stored = queue.decision_for(decision.item_id)
    if stored is None or stored != decision:
        raise StoreError(
            f"no matching recorded decision for queue item {decision.item_id}",
            fix="a practitioner must record a decision with `famlink risk review` first",
        )
    if stored.decision != "offer_early_help":
        return None
    item = next(i for i in queue.items() if i.item_id == stored.item_id)
    return EarlyHelpOffer(stored.item_id, item.person_ref, stored.practitioner, stored.reason)
