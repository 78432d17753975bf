"""A local SQLite file whose committed writes survive a crash or a power cut.

Used by the API's Kafka outbox and the desktop app's store (plain sqlite3: the desktop app
never loads the database layer).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_durable(path: Path, schema: str) -> sqlite3.Connection:
    """Autocommit connection (callers BEGIN themselves), WAL, fsync on every commit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA busy_timeout=30000")
    connection.executescript(schema)
    return connection
