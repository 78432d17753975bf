"""A durable local outbox: accepted inquiries wait here until the broker has them.

An inquiry the API has accepted (202) is already in this SQLite file, fsynced, so a broker
outage or a crash loses nothing; the relay sends the rows in order and deletes each one only
after the broker acknowledged it. The ids accepted here are remembered with their fingerprints
for a day (the same idempotency record the central store keeps on every inquiry), so a retry
that reaches this replica again is answered as a replay, or a conflict, before the worker
sees it; the worker judges whatever reaches it twice the same way.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from barberbot.core.durable_sqlite import open_durable
from barberbot.inquiries.writer import IdempotencyConflict

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key BLOB NOT NULL,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS accepted (
    inquiry_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS accepted_at ON accepted (at);
"""
REMEMBER_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Message:
    """A message to queue, with the idempotency record of the inquiry it carries."""

    key: bytes
    value: bytes
    inquiry_id: uuid.UUID
    fingerprint: str | None


@dataclass(frozen=True)
class Pending:
    seq: int
    key: bytes
    value: bytes


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_durable(path, _SCHEMA)
        self.added = threading.Condition()

    def add(
        self, key: bytes, value: bytes, *, inquiry_id: uuid.UUID, fingerprint: str | None
    ) -> bool:
        """Queue one message: `add_many` of one, raising its conflict."""
        [outcome] = self.add_many([Message(key, value, inquiry_id, fingerprint)])
        if isinstance(outcome, IdempotencyConflict):
            raise outcome
        return outcome

    def add_many(self, messages: Sequence[Message]) -> list[bool | IdempotencyConflict]:
        """Queue messages in one transaction (one fsync for them all): an outcome each, True
        when queued, False (nothing queued) when its id was accepted before with the same
        fingerprint, `IdempotencyConflict` when with another. A message without a fingerprint
        (a fresh id) is queued without being remembered."""
        outcomes: list[bool | IdempotencyConflict] = []
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for message in messages:
                    outcomes.append(self._queue(message))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        if any(outcome is True for outcome in outcomes):
            with self.added:
                self.added.notify_all()
        return outcomes

    def _queue(self, message: Message) -> bool | IdempotencyConflict:
        if message.fingerprint is not None:
            try:
                if self._seen(message.inquiry_id, message.fingerprint):
                    return False
            except IdempotencyConflict as conflict:
                return conflict
        self._db.execute(
            "INSERT INTO outbox (key, value) VALUES (?, ?)", (message.key, message.value)
        )
        return True

    def _seen(self, inquiry_id: uuid.UUID, fingerprint: str) -> bool:
        row = self._db.execute(
            "SELECT fingerprint FROM accepted WHERE inquiry_id = ?", (str(inquiry_id),)
        ).fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO accepted (inquiry_id, fingerprint, at) VALUES (?, ?, ?)",
                (str(inquiry_id), fingerprint, time.time()),
            )
            return False
        if row[0] != fingerprint:
            raise IdempotencyConflict()
        return True

    def peek(self, limit: int) -> list[Pending]:
        """The oldest messages still waiting, in the order they were accepted."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, key, value FROM outbox ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [Pending(seq, bytes(key), bytes(value)) for seq, key, value in rows]

    def remove(self, seqs: Sequence[int]) -> None:
        if not seqs:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("DELETE FROM outbox WHERE seq = ?", [(s,) for s in seqs])
            self._db.execute("DELETE FROM accepted WHERE at < ?", (time.time() - REMEMBER_SECONDS,))
            self._db.execute("COMMIT")

    def backlog(self) -> int:
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()
        return int(count)

    def close(self) -> None:
        with self._lock:
            self._db.close()
