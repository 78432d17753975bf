"""Group commit: the inquiries of many concurrent requests are written in one transaction.

Each request (the API, the web form) validates its inquiry on the event loop and hands its
capture to the group commit; it takes whatever has queued up meanwhile, stores it with the one
writer (`inquiries.writer.write`: idempotent, one executemany) and commits once. Every
request is answered only after that commit. So a burst costs one transaction instead of one
per request, and the process is one writer to the database.

Where the batch runs depends on the database. A server database (MySQL) is network I/O: the
batch runs on a writer thread while the event loop serves other requests. An SQLite write is a
fraction of a millisecond of CPU, and run on a thread it fights the event loop for the GIL (it
releases and re-takes the GIL at every step; measured, that tripled the CPU a request costs).
So an SQLite batch runs on the event loop itself, trying SQLite's write lock without waiting;
if another connection or process holds the lock, or the batch fails, the batch goes to the
writer thread, which waits for the lock and writes it again. The loop's connection never
checkpoints the write-ahead log either (copying pages back and syncing took up to 16 ms,
stalling every request); the thread does, every `checkpoint_rows` inquiries.

A batch that fails is written again one inquiry at a time, so one bad row (or an id another
process stored a moment ago) fails or replays alone, and nothing of it is half-stored.

Custom answers are saved by the answer store inside the batch's transaction, before it
commits. The SQL store is part of that transaction, so such batches still run on the loop;
MongoDB is network I/O, so a batch with documents for it goes to the writer thread, which
writes the documents (one bulk upsert) before committing the rows. When MongoDB is down the
inquiries with answers fail (and are not stored); the others of the batch are written.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.forms.store import AnswerStore, AnswersUnavailable, SqlAnswerStore
from barberbot.inquiries import writer
from barberbot.inquiries.capture import Capture
from barberbot.inquiries.writer import Written

log = logging.getLogger("barberbot.inquiries.group_commit")
T = TypeVar("T")


@dataclass(frozen=True)
class _Job:
    capture: Capture
    done: asyncio.Future[Written]  # resolved on its loop's thread

    def resolve(self, outcome: Written | BaseException) -> None:
        """Called from the writer thread: hand the outcome to the waiting request."""
        settle_from_thread(self.done, outcome)

    def settle(self, outcome: Written | BaseException) -> None:
        """Called on the request's own event loop."""
        settle(self.done, outcome)


def settle(done: asyncio.Future[T], outcome: T | BaseException) -> None:
    """Answer a waiting request, on its loop; one that hung up (cancelled) is skipped, its
    inquiry written all the same."""
    if done.cancelled():
        return
    if isinstance(outcome, BaseException):
        done.set_exception(outcome)
    else:
        done.set_result(outcome)


def settle_from_thread(done: asyncio.Future[T], outcome: T | BaseException) -> None:
    """`settle` from a writer thread: handed to the request's loop."""
    done.get_loop().call_soon_threadsafe(settle, done, outcome)


_STOP = object()
_CHECKPOINT = object()


class GroupCommit:
    def __init__(
        self,
        db: Database,
        max_batch: int = 256,
        checkpoint_rows: int = 2000,
        answers: AnswerStore | None = None,
    ) -> None:
        self.db = db
        self.answers: AnswerStore = answers or SqlAnswerStore()
        self.max_batch = max_batch
        self.on_loop = db.engine.dialect.name == "sqlite"
        self.checkpoint_rows = checkpoint_rows
        self.checkpoints = 0  # done by the thread
        self._unchecked_rows = 0  # written on the loop since the last checkpoint was asked for
        self._pending: list[_Job] = []  # waiting for the event loop's next batch
        self._loop_connection: Connection | None = None
        self._jobs: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="inquiry-writer", daemon=True)
        self._thread.start()

    async def write(self, capture: Capture) -> Written:
        """Store the inquiry (or find the one stored under its id), once committed; raises
        `IdempotencyConflict` when its id was used for a different inquiry."""
        loop = asyncio.get_running_loop()
        job = _Job(capture, loop.create_future())
        if self.on_loop and (capture.document is None or self.answers.in_database):
            self._pending.append(job)
            if len(self._pending) == 1:  # the first of a batch: write once this tick is done
                loop.call_soon(self._write_pending)
        else:
            self._jobs.put(job)
        # A request cancelled meanwhile (its client hung up) cancels only this future: the
        # batch still writes the inquiry, and `_settle` skips the cancelled future.
        return await job.done

    def close(self, timeout: float = 30.0) -> None:
        """Write what is queued, then stop."""
        for job in self._pending:
            self._jobs.put(job)
        self._pending = []
        self._jobs.put(_STOP)
        self._thread.join(timeout)
        self._drop_loop_connection()

    def _write_pending(self) -> None:
        """On the event loop: the batch queued this tick, if SQLite's write lock is free now."""
        batch, self._pending = self._pending, []
        try:
            with self._loop_session() as session, session.begin():
                results = _store(session, batch, self.answers)
        except Exception:  # the lock is taken, or a row is bad: the thread waits and sorts it
            self._drop_loop_connection()
            for job in batch:
                self._jobs.put(job)
            return
        for job, result in zip(batch, results, strict=True):
            job.settle(result)
        self._unchecked_rows += len(batch)
        if self._unchecked_rows >= self.checkpoint_rows:
            self._unchecked_rows = 0
            self._jobs.put(_CHECKPOINT)

    def _loop_session(self) -> Session:
        if self._loop_connection is None:
            connection = self.db.engine.connect()
            connection.exec_driver_sql("PRAGMA busy_timeout = 0")  # never wait on the loop
            connection.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")  # the thread does
            connection.commit()
            self._loop_connection = connection
        return self.db.sessions(bind=self._loop_connection)

    def _drop_loop_connection(self) -> None:
        if self._loop_connection is not None:
            self._loop_connection.invalidate()  # not back to the pool without its busy timeout
            self._loop_connection.close()
            self._loop_connection = None

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is _STOP:
                return
            batch = [first]
            stopping = False
            while len(batch) < self.max_batch:
                try:
                    more = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    stopping = True
                    break
                batch.append(more)
            if _CHECKPOINT in batch:
                self._checkpoint()
            jobs = [job for job in batch if isinstance(job, _Job)]
            if jobs:
                self._write_batch(jobs)
            if stopping:
                return

    def _checkpoint(self) -> None:
        """Copy the write-ahead log back into the SQLite file, without blocking writers."""
        try:
            with self.db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception as error:  # the next one will catch up
            log.warning("checkpoint failed", extra={"error": repr(error)})
            return
        self.checkpoints += 1

    def _write_batch(self, batch: list[_Job]) -> None:
        try:
            with self.db.sessions() as session, session.begin():
                results = _store(session, batch, self.answers)
        except AnswersUnavailable as error:
            # not one by one: each would wait for the store's timeout again
            for job in batch:
                if job.capture.document is not None:
                    job.resolve(error)
            rest = [job for job in batch if job.capture.document is None]
            if rest:
                self._write_batch(rest)
            return
        except Exception as error:
            if len(batch) > 1:
                for job in batch:  # alone, each fails or succeeds on its own
                    self._write_batch([job])
                return
            log.warning("inquiry not stored", extra={"error": repr(error)})
            batch[0].resolve(error)
            return
        for job, result in zip(batch, results, strict=True):
            job.resolve(result)


def _store(session: Session, batch: list[_Job], answers: AnswerStore) -> list[writer.Outcome]:
    """The batch through the one writer; flushes, the caller commits."""
    return writer.write(session, [job.capture for job in batch], answers)
