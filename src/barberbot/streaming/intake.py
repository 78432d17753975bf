"""With Kafka: accepted inquiries are queued in the durable outbox; the worker stores them.

The outbox fsyncs every commit, so one transaction per request would cap a replica at the
disk's sync rate. Requests from the event loop (`submit`) are group-committed instead, as the
direct path's inquiries are: a thread takes every message queued meanwhile, adds them to the
outbox in one transaction and answers each request once that commit is durable. A 202 still
means "will be stored"; the fsync is shared by the batch.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from barberbot.inquiries import metrics
from barberbot.inquiries.capture import Capture
from barberbot.inquiries.group_commit import settle_from_thread
from barberbot.inquiries.intake import Accepted
from barberbot.inquiries.writer import IdempotencyConflict
from barberbot.models import Shop, Source
from barberbot.streaming import messages
from barberbot.streaming.outbox import Message, Outbox

log = logging.getLogger("barberbot.streaming.intake")
_STOP = object()


@dataclass(frozen=True)
class _Job:
    message: Message
    done: asyncio.Future[bool]  # queued (True) or accepted before (False); or the conflict

    def resolve(self, outcome: bool | BaseException) -> None:
        """From the outbox thread: hand the outcome to the waiting request's loop."""
        settle_from_thread(self.done, outcome)


class StreamIntake:
    def __init__(self, outbox: Outbox, max_batch: int = 512) -> None:
        self.outbox = outbox
        self.max_batch = max_batch
        self._jobs: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="outbox-writer", daemon=True)
        self._thread.start()

    async def submit(self, shop: Shop, capture: Capture) -> Accepted:
        job = _Job(_message(shop, capture), asyncio.get_running_loop().create_future())
        self._jobs.put(job)
        return _accepted(capture, queued=await job.done)  # raises the conflict

    def accept(
        self, session: Session, shop: Shop, captures: Sequence[Capture]
    ) -> list[Accepted | IdempotencyConflict]:
        """A batch at once (the desktop sync): one outbox transaction, no session needed."""
        outcomes = self.outbox.add_many([_message(shop, capture) for capture in captures])
        return [
            outcome if isinstance(outcome, IdempotencyConflict) else _accepted(capture, outcome)
            for capture, outcome in zip(captures, outcomes, strict=True)
        ]

    def close(self, timeout: float = 30.0) -> None:
        """Queue what is waiting, then close the outbox."""
        self._jobs.put(_STOP)
        self._thread.join(timeout)
        self.outbox.close()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch, stopping = self._next_batch()
            if batch:
                self._queue(batch)

    def _next_batch(self) -> tuple[list[_Job], bool]:
        """What is waiting (after blocking for the first), up to `max_batch`; and whether
        the stop came."""
        batch: list[_Job] = []
        item = self._jobs.get()
        while isinstance(item, _Job):
            batch.append(item)
            if len(batch) >= self.max_batch:
                return batch, False
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                return batch, False
        return batch, True  # the stop

    def _queue(self, batch: list[_Job]) -> None:
        try:
            outcomes = self.outbox.add_many([job.message for job in batch])
        except Exception as error:  # the disk: every request of the batch hears of it
            log.warning("outbox write failed", extra={"error": repr(error)})
            for job in batch:
                job.resolve(error)
            return
        for job, outcome in zip(batch, outcomes, strict=True):
            job.resolve(outcome)


def _message(shop: Shop, capture: Capture) -> Message:
    """The Kafka message of a capture: it carries the checked answers and the form version
    they were checked against; the worker checks them again and stores their document."""
    value = messages.encode(
        inquiry_id=capture.id,
        shop=shop.slug,
        received_at=capture.received_at,
        source=Source(capture.values["source"]),
        data=capture.with_consent_text(),
        form_version=capture.form_version,
    )
    return Message(shop.slug.encode(), value, capture.id, capture.fingerprint)


_ACCEPTED_STREAM = metrics.ACCEPTED.labels(mode="stream")  # looked up once, not per capture


def _accepted(capture: Capture, queued: bool) -> Accepted:
    if queued:
        _ACCEPTED_STREAM.inc()
    return Accepted(capture.id, None, replayed=not queued)
