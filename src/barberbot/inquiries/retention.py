"""Data retention: a shop that turned it on has the inquiries of customers who did not agree to
marketing erased once they are older than its number of months.

Each is erased through `service.forget`, the path a customer's own request to be forgotten
takes, so its answers, search terms and the dashboard's rollups follow. `barberbot settle`
runs it for every shop (`analytics.settling`); a round erases at most `BATCH` inquiries of a
shop, the next round goes on.
"""

from __future__ import annotations

import calendar
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.forms.store import AnswerStore
from barberbot.inquiries import service
from barberbot.models import Inquiry, Shop
from barberbot.models.base import utcnow

BATCH = 1000


def months_before(at: datetime, months: int) -> datetime:
    """The same moment `months` calendar months earlier (31 March less one month: 28/29 Feb)."""
    month_index = at.year * 12 + at.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(at.day, calendar.monthrange(year, month + 1)[1])
    return at.replace(year=year, month=month + 1, day=day)


def erase_expired(
    session: Session, shop: Shop, answers: AnswerStore | None, now: datetime | None = None
) -> int:
    """Erase the shop's expired inquiries without marketing consent (none if retention is off);
    how many. The caller commits."""
    if not shop.retention_months:
        return 0
    cutoff = months_before(now or utcnow(), shop.retention_months)
    expired = session.scalars(
        select(Inquiry.id)
        .where(
            Inquiry.shop_id == shop.id,
            Inquiry.received_at < cutoff,
            Inquiry.marketing_consent.is_(False),
        )
        .order_by(Inquiry.received_at)
        .limit(BATCH)
    ).all()
    return sum(service.forget(session, shop, inquiry_id, answers) for inquiry_id in expired)
