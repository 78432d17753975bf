"""The group commit: many requests, one transaction; failures stay with their own row."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.inquiries.capture import Capture, prepare
from barberbot.inquiries.group_commit import GroupCommit
from barberbot.inquiries.rules import validate_inquiry
from barberbot.inquiries.writer import IdempotencyConflict, Written
from barberbot.models import Inquiry, Shop, Source
from tests.factories import inquiry_payload

T = TypeVar("T")


def _capture(shop: Shop, key: str | None = None, **overrides: Any) -> Capture:
    data = validate_inquiry(inquiry_payload(**overrides), shop.type_labels())
    return prepare(shop, data, source=Source.API, idempotency_key=key)


def _count(session: Session, model: type[Any] = Inquiry) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model)) or 0


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run on a fresh event loop in its own thread (a browser test may hold this thread's)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _write_all(writer: GroupCommit, captures: list[Capture]) -> list[Any]:
    calls = [writer.write(capture) for capture in captures]
    return await asyncio.gather(*calls, return_exceptions=True)


def test_a_burst_is_stored_and_every_caller_gets_its_own_row(
    database: Database, session: Session, shop: Shop
) -> None:
    writer = GroupCommit(database)
    jobs = [_capture(shop, customer_name=f"Customer {n}") for n in range(50)]
    expected = [capture.id for capture in jobs]

    results = _run(_write_all(writer, jobs))
    writer.close()

    assert [r.row["id"] for r in results] == expected
    assert not any(r.replayed for r in results)
    assert _count(session) == 50


def test_one_bad_row_fails_alone(database: Database, session: Session, shop: Shop) -> None:
    writer = GroupCommit(database)
    bad = _capture(shop)
    bad.values["customer_name"] = None  # the database refuses it (NOT NULL)
    jobs = [_capture(shop), bad, _capture(shop)]

    first, failed, third = _run(_write_all(writer, jobs))
    writer.close()

    assert isinstance(first, Written)
    assert isinstance(third, Written)
    assert isinstance(failed, Exception)
    assert _count(session) == 2


def test_the_same_key_in_one_batch_and_across_writers_stores_once(
    database: Database, session: Session, shop: Shop
) -> None:
    one, other = GroupCommit(database), GroupCommit(database)  # as two processes would

    async def race() -> list[Written]:
        calls = [writer.write(_capture(shop, "same-key")) for writer in (one, other) * 5]
        return await asyncio.gather(*calls)

    results = _run(race())
    one.close()
    other.close()

    ids = {r.row["id"] if isinstance(r.row, dict) else r.row.id for r in results}
    assert len(ids) == 1
    assert sum(not r.replayed for r in results) == 1
    assert _count(session) == 1


def test_a_key_reused_for_another_inquiry_is_a_conflict(
    database: Database, session: Session, shop: Shop
) -> None:
    writer = GroupCommit(database)

    async def twice() -> list[Any]:
        first = await writer.write(_capture(shop, "k"))
        with pytest.raises(IdempotencyConflict):
            await writer.write(_capture(shop, "k", age=70))
        return [first]

    _run(twice())
    writer.close()

    assert _count(session) == 1


def _hold_write_lock(database: Database) -> Any:
    """Another connection (as another process would) takes the inquiries table's write lock."""
    connection = database.engine.connect()
    if database.engine.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.exec_driver_sql("LOCK TABLES inquiries WRITE")
    return connection


def _release(connection: Any, dialect: str) -> None:
    if dialect == "sqlite":
        connection.exec_driver_sql("ROLLBACK")
    else:
        connection.exec_driver_sql("UNLOCK TABLES")
    connection.close()


def test_a_held_write_lock_delays_the_write_but_never_the_event_loop(
    database: Database, session: Session, shop: Shop
) -> None:
    writer = GroupCommit(database)
    holder = _hold_write_lock(database)
    dialect = database.engine.dialect.name

    async def write_while_locked() -> tuple[Written, float, bool]:
        write = asyncio.ensure_future(writer.write(_capture(shop, "k")))
        longest_gap, last = 0.0, time.monotonic()
        for _ in range(20):  # the lock is held: the loop must keep ticking meanwhile
            await asyncio.sleep(0.01)
            longest_gap, last = max(longest_gap, time.monotonic() - last), time.monotonic()
        done_while_locked = write.done()
        await asyncio.get_running_loop().run_in_executor(None, _release, holder, dialect)
        return await write, longest_gap, done_while_locked

    written, longest_gap, done_while_locked = _run(write_while_locked())
    writer.close()

    assert longest_gap < 1.0  # blocked on the lock, the loop would stall for the busy timeout
    assert not done_while_locked
    assert not written.replayed
    assert _count(session) == 1


def test_the_event_loop_never_checkpoints_sqlite_the_thread_does(
    database: Database, session: Session, shop: Shop
) -> None:
    writer = GroupCommit(database, checkpoint_rows=40)
    jobs = [_capture(shop, customer_name=f"Customer {n}") for n in range(100)]

    async def write_in_bursts() -> int:
        for start in range(0, 100, 20):
            await _write_all(writer, jobs[start : start + 20])
        connection = writer._loop_connection
        if connection is None:  # a server database: its writes never run on the loop
            return 0
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())

    loop_autocheckpoint = _run(write_in_bursts())
    writer.close()

    assert loop_autocheckpoint == 0
    # every 40 rows written on the loop; a burst that met the thread's checkpoint holding the
    # lock is written by the thread instead and not counted, so at least the first one
    assert writer.checkpoints >= 1 if writer.on_loop else writer.checkpoints == 0
    assert _count(session) == 100


def test_a_request_cancelled_while_waiting_still_has_its_inquiry_stored(
    database: Database, session: Session, shop: Shop
) -> None:
    writer = GroupCommit(database)

    async def hang_up() -> bool:
        write = asyncio.ensure_future(writer.write(_capture(shop)))
        await asyncio.sleep(0)  # the request is waiting for the batch
        write.cancel()
        await asyncio.sleep(0.3)  # the batch runs meanwhile
        return write.cancelled()

    cancelled = _run(hang_up())
    writer.close()

    assert cancelled
    assert _count(session) == 1
