"""The worker's pure handler: a batch of raw messages in, rows stored and dead letters out.

It knows nothing of Kafka: the consumer loop hands it plain records and a session, and
commits the session (then the offsets) itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.inquiries import service
from barberbot.inquiries.rules import InquiryInvalid, validate_inquiry
from barberbot.models import Shop
from barberbot.streaming.messages import BadMessage, InquiryMessage, decode


@dataclass(frozen=True)
class Record:
    """One message as read from the topic."""

    value: bytes | None
    key: bytes | None = None
    partition: int = -1
    offset: int = -1


@dataclass(frozen=True)
class DeadLetter:
    record: Record
    reason: str


@dataclass
class BatchResult:
    stored: int = 0
    redelivered: int = 0
    dead: list[DeadLetter] = field(default_factory=list)


def handle(session: Session, records: Sequence[Record]) -> BatchResult:
    """Validate every message with the shared rules and upsert the good ones by id."""
    result = BatchResult()
    decoded: list[tuple[Record, InquiryMessage]] = []
    for record in records:
        try:
            decoded.append((record, decode(record.value)))
        except BadMessage as error:
            result.dead.append(DeadLetter(record, str(error)))
    shops = _shops_by_slug(session, {message.shop for _, message in decoded})
    rows: dict[str, dict[str, Any]] = {}
    for record, message in decoded:
        try:
            rows.setdefault(str(message.id), _row(shops.get(message.shop), message))
        except BadMessage as error:
            result.dead.append(DeadLetter(record, str(error)))
    result.stored = service.store_many(session, list(rows.values()))
    result.redelivered = len(rows) - result.stored
    return result


def _shops_by_slug(session: Session, slugs: set[str]) -> dict[str, Shop]:
    if not slugs:
        return {}
    return {shop.slug: shop for shop in session.scalars(select(Shop).where(Shop.slug.in_(slugs)))}


def _row(shop: Shop | None, message: InquiryMessage) -> dict[str, Any]:
    if shop is None:
        raise BadMessage(f"unknown shop {message.shop!r}")
    try:
        data = validate_inquiry(message.inquiry, shop.type_labels())
    except InquiryInvalid as invalid:
        raise BadMessage(f"invalid inquiry: {invalid}") from None
    return service.inquiry_values(
        shop, data, source=message.source, inquiry_id=message.id, received_at=message.received_at
    )
