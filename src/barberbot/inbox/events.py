"""The append-only events of an inquiry: every change, who made it and when. An inquiry's
timeline is its `received_at` followed by these; figures such as the time to a first reply
are read from them, never kept by hand."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import EventKind, Inquiry, InquiryEvent, User
from barberbot.models.base import utcnow


def record(
    session: Session,
    inquiry: Inquiry,
    actor: User | None,
    kind: EventKind,
    *,
    from_value: str | None = None,
    to_value: str | None = None,
    detail: str | None = None,
) -> InquiryEvent:
    """Append one event (flushed with the change it records, by the caller)."""
    event = InquiryEvent(
        inquiry_id=inquiry.id,
        shop_id=inquiry.shop_id,
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        kind=kind.value,
        from_value=from_value,
        to_value=to_value,
        detail=detail,
    )
    session.add(event)
    return event


def of(session: Session, inquiry: Inquiry) -> Sequence[InquiryEvent]:
    """The inquiry's events, oldest first (the order they were written in)."""
    return session.scalars(
        select(InquiryEvent)
        .where(InquiryEvent.inquiry_id == inquiry.id)
        .order_by(InquiryEvent.at, InquiryEvent.id)
    ).all()
