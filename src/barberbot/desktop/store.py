"""The counter's local store: every confirmed inquiry, safe from crashes and power cuts.

SQLite in WAL mode with synchronous=FULL: a save is on disk before the form says so, and a
save cut off half-way is rolled back on the next start without touching earlier rows.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
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
    synced_at TEXT,
    rejected TEXT,  -- JSON {field: message} when the server refused it; never sent again
    form_version INTEGER NOT NULL DEFAULT 0  -- the shop's form its `data.answers` answered
);
"""


@dataclass(frozen=True)
class SavedInquiry:
    seq: int
    id: uuid.UUID  # also the Idempotency-Key when it is synced
    saved_at: datetime
    data: dict[str, Any]
    synced: bool
    rejected: dict[str, str] | None = None
    form_version: int = 0  # of the shop's form (cached offline) its custom answers answered


class LocalStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_durable(path, _SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(inquiries)")}
        if "rejected" not in columns:  # a store from before sync
            self._db.execute("ALTER TABLE inquiries ADD COLUMN rejected TEXT")
        if "form_version" not in columns:  # a store from before custom forms
            self._db.execute(
                "ALTER TABLE inquiries ADD COLUMN form_version INTEGER NOT NULL DEFAULT 0"
            )

    def save(self, inquiry: InquiryCreate, form_version: int = 0) -> SavedInquiry:
        """Keep a validated inquiry (its custom answers in it); it survives a crash on return."""
        saved = SavedInquiry(
            seq=0,
            id=uuid.uuid4(),
            saved_at=datetime.now(UTC),
            data=inquiry.model_dump(mode="json"),
            synced=False,
            form_version=form_version,
        )
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO inquiries (id, saved_at, data, form_version) VALUES (?, ?, ?, ?)",
                (str(saved.id), saved.saved_at.isoformat(), json.dumps(saved.data), form_version),
            )
        return SavedInquiry(
            cursor.lastrowid or 0,
            saved.id,
            saved.saved_at,
            saved.data,
            False,
            form_version=form_version,
        )

    def all(self) -> list[SavedInquiry]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM inquiries ORDER BY seq").fetchall()
        return [_saved(row) for row in rows]

    def pending(self, limit: int = 100) -> list[SavedInquiry]:
        """The oldest inquiries not yet synced to the server."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM inquiries "
                "WHERE synced_at IS NULL AND rejected IS NULL ORDER BY seq LIMIT ?",
                (limit,),
            ).fetchall()
        return [_saved(row) for row in rows]

    def pending_count(self) -> int:
        with self._lock:
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM inquiries WHERE synced_at IS NULL AND rejected IS NULL"
            ).fetchone()
        return int(count)

    def rejected_count(self) -> int:
        with self._lock:
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM inquiries WHERE rejected IS NOT NULL"
            ).fetchone()
        return int(count)

    def mark_synced(self, inquiry_ids: Iterable[uuid.UUID]) -> None:
        """Record that the server has these; one durable commit for the lot."""
        now = datetime.now(UTC).isoformat()
        with self._lock, self._transaction():
            self._db.executemany(
                "UPDATE inquiries SET synced_at = ? WHERE id = ?",
                [(now, str(inquiry_id)) for inquiry_id in inquiry_ids],
            )

    def mark_rejected(self, rejections: Mapping[uuid.UUID, Mapping[str, str]]) -> None:
        """Record why the server refused these; they are kept here but not sent again."""
        with self._lock, self._transaction():
            self._db.executemany(
                "UPDATE inquiries SET rejected = ? WHERE id = ?",
                [(json.dumps(dict(errors)), str(i)) for i, errors in rejections.items()],
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()


_COLUMNS = "seq, id, saved_at, data, synced_at, rejected, form_version"


def _saved(row: tuple[Any, ...]) -> SavedInquiry:
    seq, inquiry_id, saved_at, data, synced_at, rejected, form_version = row
    return SavedInquiry(
        seq,
        uuid.UUID(inquiry_id),
        datetime.fromisoformat(saved_at),
        json.loads(data),
        synced_at is not None,
        json.loads(rejected) if rejected else None,
        form_version,
    )
