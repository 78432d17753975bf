"""Every write a piece of code sends to the database, as the database would see it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@contextmanager
def recorded_writes() -> Iterator[list[str]]:
    """Every INSERT, UPDATE, DELETE (their SQL) and COMMIT that any engine of this process
    sends meanwhile, the engines code under test opens of its own included."""
    seen: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if sql.lstrip().split(None, 1)[0].upper() in WRITES:
            seen.append(sql)

    def commit(_conn: Any) -> None:
        seen.append("COMMIT")

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
        event.remove(Engine, "commit", commit)
