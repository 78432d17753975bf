"""With Kafka: accepted inquiries are queued in the durable outbox; the worker stores them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from barberbot.inquiries import metrics
from barberbot.inquiries.capture import Capture
from barberbot.inquiries.intake import Accepted
from barberbot.inquiries.writer import IdempotencyConflict
from barberbot.models import Shop, Source
from barberbot.streaming import messages
from barberbot.streaming.outbox import Outbox


class StreamIntake:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def submit(self, shop: Shop, capture: Capture) -> Accepted:
        # The outbox fsyncs: off the event loop. It needs no session.
        return await run_in_threadpool(self._queue, shop, capture)

    def accept(
        self, session: Session, shop: Shop, captures: Sequence[Capture]
    ) -> list[Accepted | IdempotencyConflict]:
        outcomes: list[Accepted | IdempotencyConflict] = []
        for capture in captures:
            try:
                outcomes.append(self._queue(shop, capture))
            except IdempotencyConflict as conflict:
                outcomes.append(conflict)
        return outcomes

    def close(self) -> None:
        self.outbox.close()

    def _queue(self, shop: Shop, capture: Capture) -> Accepted:
        # The message carries the checked answers and the form version they were checked
        # against; the worker checks them again and stores their document.
        value = messages.encode(
            inquiry_id=capture.id,
            shop=shop.slug,
            received_at=capture.received_at,
            source=Source(capture.values["source"]),
            data=capture.data,
            form_version=capture.form_version,
        )
        queued = self.outbox.add(
            shop.slug.encode(), value, inquiry_id=capture.id, fingerprint=capture.fingerprint
        )
        if not queued:
            return Accepted(capture.id, None, replayed=True)
        metrics.ACCEPTED.labels(mode="stream").inc()
        return Accepted(capture.id, None)
