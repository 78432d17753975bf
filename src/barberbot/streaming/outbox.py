"""A durable local outbox: accepted inquiries wait here until the broker has them.

An inquiry the API has accepted (202) is already in this SQLite file, fsynced, so a broker
outage or a crash loses nothing; the relay sends the rows in order and deletes each one only
after the broker acknowledged it. The Idempotency-Key table lives here too, so a retried
submission gets the id it got the first time.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from barberbot.core.durable_sqlite import open_durable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key BLOB NOT NULL,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
    shop TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    inquiry_id TEXT NOT NULL,
    PRIMARY KEY (shop, key)
);
"""


@dataclass(frozen=True)
class Pending:
    seq: int
    key: bytes
    value: bytes


class IdempotencyMismatch(Exception):
    """The key was first used for a different inquiry."""


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_durable(path, _SCHEMA)
        self.added = threading.Condition()

    def add(
        self,
        key: bytes,
        value: bytes,
        *,
        idempotency: tuple[str, str, str, uuid.UUID] | None = None,
    ) -> uuid.UUID | None:
        """Queue a message; with (shop, key, fingerprint, id) return an earlier id instead."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if idempotency is not None:
                    earlier = self._remembered(idempotency)
                    if earlier is not None:
                        self._db.execute("ROLLBACK")
                        return earlier
                self._db.execute("INSERT INTO outbox (key, value) VALUES (?, ?)", (key, value))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        with self.added:
            self.added.notify_all()
        return None

    def _remembered(self, idempotency: tuple[str, str, str, uuid.UUID]) -> uuid.UUID | None:
        shop, key, fingerprint, inquiry_id = idempotency
        row = self._db.execute(
            "SELECT fingerprint, inquiry_id FROM idempotency WHERE shop = ? AND key = ?",
            (shop, key),
        ).fetchone()
        if row is None:
            self._db.execute(
                "INSERT INTO idempotency (shop, key, fingerprint, inquiry_id) VALUES (?, ?, ?, ?)",
                (shop, key, fingerprint, str(inquiry_id)),
            )
            return None
        if row[0] != fingerprint:
            raise IdempotencyMismatch(
                "This Idempotency-Key was already used for a different inquiry."
            )
        return uuid.UUID(row[1])

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
            self._db.execute("COMMIT")

    def backlog(self) -> int:
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()
        return int(count)

    def close(self) -> None:
        with self._lock:
            self._db.close()
