"""Accepting an inquiry: the one place that decides between storing it now and streaming it.

Every entry point (web form, API, desktop sync) calls `Intake.accept` (within the caller's
session) or, from the event loop, `Intake.submit` (the API's hot path) with a validated
inquiry. Without Kafka it is stored at once (the caller answers 201): `submit` through the
group-commit writer. With Kafka it is put in the durable outbox for the relay to publish and
the worker to store (the caller answers 202).
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from barberbot.inquiries import service
from barberbot.inquiries.rules import InquiryCreate
from barberbot.inquiries.writer import InquiryWriter
from barberbot.models import Inquiry, Shop, Source
from barberbot.models.base import utcnow
from barberbot.streaming import messages, metrics
from barberbot.streaming.outbox import IdempotencyMismatch, Outbox


@dataclass(frozen=True)
class Accepted:
    id: uuid.UUID
    # the stored inquiry (as a row or its column values) when stored at once; None when queued
    stored: Inquiry | dict[str, Any] | None
    replayed: bool = False

    @property
    def queued(self) -> bool:
        return self.stored is None


class Intake(Protocol):
    def accept(
        self,
        session: Session,
        shop: Shop,
        data: InquiryCreate,
        *,
        source: Source,
        idempotency_key: str | None = None,
        inquiry_id: uuid.UUID | None = None,
        received_at: datetime | None = None,
        form_version: int = 0,
    ) -> Accepted:
        """Take a validated inquiry; `inquiry_id`/`received_at` keep a client's own (sync).

        `form_version`: the version of the shop's form its custom answers were checked
        against (0: the shop has no form, and there are no answers to keep).
        """
        ...

    async def submit(
        self,
        shop: Shop,
        data: InquiryCreate,
        *,
        source: Source,
        idempotency_key: str | None,
        form_version: int = 0,
    ) -> Accepted:
        """Take a validated inquiry from the event loop; committed (or queued) on return."""
        ...


class DirectIntake:
    """The embedded default: store in the database (the caller's transaction, or the writer's)."""

    def __init__(self, writer: InquiryWriter) -> None:
        self.writer = writer

    async def submit(
        self,
        shop: Shop,
        data: InquiryCreate,
        *,
        source: Source,
        idempotency_key: str | None,
        form_version: int = 0,
    ) -> Accepted:
        values = service.inquiry_values(shop, data, source=source)
        fingerprint = service.fingerprint(data) if idempotency_key else None
        document = None
        if form_version:
            document = service.answer_document(
                values["id"], shop, data, form_version, values["received_at"]
            )
        written = await self.writer.write(
            values, key=idempotency_key, fingerprint=fingerprint, document=document
        )
        if not written.replayed:
            metrics.ACCEPTED.labels(mode="direct").inc()
        row = written.row
        stored_id = row["id"] if isinstance(row, dict) else row.id
        return Accepted(stored_id, row, replayed=written.replayed)

    def accept(
        self,
        session: Session,
        shop: Shop,
        data: InquiryCreate,
        *,
        source: Source,
        idempotency_key: str | None = None,
        inquiry_id: uuid.UUID | None = None,
        received_at: datetime | None = None,
        form_version: int = 0,
    ) -> Accepted:
        captured = service.capture(
            session,
            shop,
            data,
            source=source,
            idempotency_key=idempotency_key,
            inquiry_id=inquiry_id,
            received_at=received_at,
            form_version=form_version,
            answers=self.writer.answers,
        )
        if captured.created:
            metrics.ACCEPTED.labels(mode="direct").inc()
        return Accepted(captured.inquiry.id, captured.inquiry, replayed=not captured.created)


class StreamIntake:
    """With Kafka: queue the message in the durable outbox; the worker stores it."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def submit(
        self,
        shop: Shop,
        data: InquiryCreate,
        *,
        source: Source,
        idempotency_key: str | None,
        form_version: int = 0,
    ) -> Accepted:
        # The outbox fsyncs: off the event loop. It needs no session.
        accept = functools.partial(
            self.accept,
            None,
            shop,
            data,
            source=source,
            idempotency_key=idempotency_key,
            form_version=form_version,
        )
        return await run_in_threadpool(accept)

    def accept(
        self,
        session: Session | None,
        shop: Shop,
        data: InquiryCreate,
        *,
        source: Source,
        idempotency_key: str | None = None,
        inquiry_id: uuid.UUID | None = None,
        received_at: datetime | None = None,
        form_version: int = 0,
    ) -> Accepted:
        # The message carries the checked answers (data.answers) and the form version they
        # were checked against; the worker checks them again and stores their document.
        if data.marketing_consent and not data.consent_text:
            data = data.model_copy(update={"consent_text": shop.effective_consent_text()})
        inquiry_id = inquiry_id or uuid.uuid4()
        value = messages.encode(
            inquiry_id=inquiry_id,
            shop=shop.slug,
            received_at=received_at or utcnow(),
            source=source,
            data=data,
            form_version=form_version,
        )
        remembered = None
        if idempotency_key:
            remembered = (shop.slug, idempotency_key, service.fingerprint(data), inquiry_id)
        try:
            earlier = self.outbox.add(shop.slug.encode(), value, idempotency=remembered)
        except IdempotencyMismatch as error:
            raise service.IdempotencyConflict(str(error)) from None
        if earlier is not None:
            return Accepted(earlier, None, replayed=True)
        metrics.ACCEPTED.labels(mode="stream").inc()
        return Accepted(inquiry_id, None)
