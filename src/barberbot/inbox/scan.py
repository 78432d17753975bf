"""The sender's look at each shop's new inquiries, from a per-shop mark, a batch at a time:
their acknowledgements and per-inquiry notifications queued, and the mark moved, in one
transaction. Nothing of this runs on the capture request: capture only writes the inquiry."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Row, String, and_, or_, select, type_coerce
from sqlalchemy.orm import Session

from barberbot.inbox import acknowledgements, notifications
from barberbot.models import InboxSettings, Inquiry, Shop

BATCH = 200  # inquiries a shop a round


def after(at: datetime, inquiry_id: str) -> ColumnElement[bool]:
    """Received after the mark (received_at, then id: inquiries of the same instant)."""
    same = and_(Inquiry.received_at == at, type_coerce(Inquiry.id, String) > inquiry_id)
    return or_(Inquiry.received_at > at, same)


def new_inquiries(
    session: Session, shop: Shop, marks: InboxSettings, upto: datetime
) -> Sequence[Row[uuid.UUID, datetime, str | None, str]]:
    return session.execute(
        select(Inquiry.id, Inquiry.received_at, Inquiry.email, Inquiry.source)
        .where(
            Inquiry.shop_id == shop.id,
            after(marks.scanned_at, marks.scanned_id),
            Inquiry.received_at <= upto,
        )
        .order_by(Inquiry.received_at, Inquiry.id)
        .limit(BATCH)
    ).all()


def scan_shop(session: Session, shop: Shop, marks: InboxSettings, upto: datetime) -> bool:
    """True if it found any."""
    found = new_inquiries(session, shop, marks, upto)
    if not found:
        return False
    acknowledgements.queue(session, shop, marks, found)
    notifications.queue_each(session, shop, [row.id for row in found])
    last = found[-1]
    marks.scanned_at, marks.scanned_id = last.received_at, str(last.id)
    session.flush()
    return True
