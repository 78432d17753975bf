"""Accepting an inquiry: the one place that decides between storing it now and streaming it.

Every entry point (web form, API, desktop sync, import) calls `Intake.accept` with a validated
inquiry. Without Kafka it is stored at once (the caller answers 201); with Kafka it is put in
the durable outbox for the relay to publish and the worker to store (the caller answers 202).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from barberbot.inquiries import service
from barberbot.inquiries.rules import InquiryCreate
from barberbot.models import Inquiry, Shop, Source
from barberbot.models.base import utcnow
from barberbot.streaming import messages, metrics
from barberbot.streaming.outbox import IdempotencyMismatch, Outbox


@dataclass(frozen=True)
class Accepted:
    id: uuid.UUID
    stored: Inquiry | None  # the row, when it was stored at once; None when queued
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
    ) -> Accepted: ...


class DirectIntake:
    """The embedded default: store in the database, within the caller's transaction."""

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
    ) -> Accepted:
        captured = service.capture(
            session,
            shop,
            data,
            source=source,
            idempotency_key=idempotency_key,
            inquiry_id=inquiry_id,
            received_at=received_at,
        )
        if captured.created:
            metrics.ACCEPTED.labels(mode="direct").inc()
        return Accepted(captured.inquiry.id, captured.inquiry, replayed=not captured.created)


class StreamIntake:
    """With Kafka: queue the message in the durable outbox; the worker stores it."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

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
    ) -> Accepted:
        if data.marketing_consent and not data.consent_text:
            data = data.model_copy(update={"consent_text": shop.effective_consent_text()})
        inquiry_id = inquiry_id or uuid.uuid4()
        value = messages.encode(
            inquiry_id=inquiry_id,
            shop=shop.slug,
            received_at=received_at or utcnow(),
            source=source,
            data=data,
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
