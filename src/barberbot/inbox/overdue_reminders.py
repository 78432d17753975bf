"""The overdue reminder: an inquiry still `new` once the shop's response target has passed
gets one e-mail to each member who hears of inquiries (each or digest), once.

`due_at(received_at, shop)` is given by the caller: the sender passes inbox/overdue.py's
(the shop's response target in working hours, in its time zone).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.inbox import notifications, preferences
from barberbot.inbox.scan import after
from barberbot.models import InboxSettings, Inquiry, InquiryStatus, NotificationKind, Notify, Shop

DueAt = Callable[[datetime, Shop], datetime]
BATCH = 200
EARLIEST = timedelta(hours=1)  # no target is shorter: younger inquiries are not read


def hours_later(hours: int) -> DueAt:
    return lambda received_at, shop: received_at + timedelta(hours=hours)


def queue(session: Session, shop: Shop, marks: InboxSettings, now: datetime, due_at: DueAt) -> bool:
    """Reminders for the inquiries come due since the mark, oldest first; the mark stops at
    the first not due yet (a later one is due later still)."""
    found = session.execute(
        select(Inquiry.id, Inquiry.received_at, Inquiry.status)
        .where(
            Inquiry.shop_id == shop.id,
            after(marks.overdue_at, marks.overdue_id),
            Inquiry.received_at <= now - EARLIEST,
        )
        .order_by(Inquiry.received_at, Inquiry.id)
        .limit(BATCH)
    ).all()
    told = [user for user, c in preferences.members(session, shop) if c != Notify.NONE]
    moved = False
    for inquiry_id, received_at, status in found:
        if due_at(received_at, shop) > now:
            break
        if status == InquiryStatus.NEW:
            notifications.add(session, shop, told, NotificationKind.OVERDUE, inquiry_id=inquiry_id)
        marks.overdue_at, marks.overdue_id = received_at, str(inquiry_id)
        moved = True
    session.flush()
    return moved
