"""The counter's local store: every confirmed inquiry, safe from crashes and power cuts.

SQLite in WAL mode with synchronous=FULL: a save is on disk before the form says so, and a
save cut off half-way is rolled back on the next start without touching earlier rows.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from barberbot.core.durable_sqlite import open_durable
from barberbot.inquiries.rules import InquiryCreate

_SCHEMA = """
CREATE TABLE IF NOT EXISTS inquiries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    saved_at TEXT NOT NULL,
    data TEXT NOT NULL,
    synced_at TEXT
);
"""


@dataclass(frozen=True)
class SavedInquiry:
    seq: int
    id: uuid.UUID  # also the Idempotency-Key when it is synced
    saved_at: datetime
    data: dict[str, Any]
    synced: bool


class LocalStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_durable(path, _SCHEMA)

    def save(self, inquiry: InquiryCreate) -> SavedInquiry:
        """Keep a validated inquiry; when this returns, it survives a crash."""
        saved = SavedInquiry(
            seq=0,
            id=uuid.uuid4(),
            saved_at=datetime.now(UTC),
            data=inquiry.model_dump(mode="json"),
            synced=False,
        )
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO inquiries (id, saved_at, data) VALUES (?, ?, ?)",
                (str(saved.id), saved.saved_at.isoformat(), json.dumps(saved.data)),
            )
        return SavedInquiry(cursor.lastrowid or 0, saved.id, saved.saved_at, saved.data, False)

    def all(self) -> list[SavedInquiry]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, id, saved_at, data, synced_at FROM inquiries ORDER BY seq"
            ).fetchall()
        return [_saved(row) for row in rows]

    def pending(self, limit: int = 100) -> list[SavedInquiry]:
        """The oldest inquiries not yet synced to the server."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, id, saved_at, data, synced_at FROM inquiries "
                "WHERE synced_at IS NULL ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [_saved(row) for row in rows]

    def pending_count(self) -> int:
        with self._lock:
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM inquiries WHERE synced_at IS NULL"
            ).fetchone()
        return int(count)

    def mark_synced(self, inquiry_id: uuid.UUID) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE inquiries SET synced_at = ? WHERE id = ?",
                (datetime.now(UTC).isoformat(), str(inquiry_id)),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _saved(row: tuple[Any, ...]) -> SavedInquiry:
    seq, inquiry_id, saved_at, data, synced_at = row
    return SavedInquiry(
        seq,
        uuid.UUID(inquiry_id),
        datetime.fromisoformat(saved_at),
        json.loads(data),
        synced_at is not None,
    )
