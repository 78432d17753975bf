"""What the nav bar and the inbox's poll show: unread and overdue inquiries across a user's
shops, the newest one, and how many arrived after one the page already shows. Reads only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from barberbot.inbox import overdue
from barberbot.models import Inquiry, InquiryStatus, Shop
from barberbot.models.base import utcnow


@dataclass(frozen=True)
class Counts:
    unread: int  # still `new`
    overdue: int  # still `new` after the shop's response target


def counts(session: Session, shops: Sequence[Shop], now: datetime | None = None) -> Counts:
    """One query on the (shop, status, received) index: the new ones, and those overdue."""
    if not shops:
        return Counts(0, 0)
    late = overdue.overdue_clause(overdue.cutoffs(shops, now or utcnow()))
    unread, overdue_count = session.execute(
        select(func.count(), func.sum(case((late, 1), else_=0))).where(
            Inquiry.shop_id.in_([shop.id for shop in shops]),
            Inquiry.status == InquiryStatus.NEW.value,
        )
    ).one()
    return Counts(int(unread), int(overdue_count or 0))


def newest(session: Session, shops: Sequence[Shop]) -> Inquiry | None:
    """The most recently received inquiry of these shops (one look-up at the end of each
    shop's index, rather than sorting them all together)."""
    found = [
        session.scalars(
            select(Inquiry)
            .where(Inquiry.shop_id == shop.id)
            .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
            .limit(1)
        ).first()
        for shop in shops
    ]
    present = [inquiry for inquiry in found if inquiry is not None]
    return max(present, key=lambda i: (i.received_at, i.id), default=None)


def arrived_after(session: Session, shops: Sequence[Shop], seen: uuid.UUID) -> int:
    """How many of these shops' inquiries were received after `seen` (0 if it is unknown)."""
    ids = [shop.id for shop in shops]
    mark = session.execute(
        select(Inquiry.received_at, Inquiry.id).where(Inquiry.id == seen, Inquiry.shop_id.in_(ids))
    ).first()
    if mark is None:
        return 0
    at, last_id = mark
    after = or_(Inquiry.received_at > at, and_(Inquiry.received_at == at, Inquiry.id > last_id))
    query = select(func.count()).where(Inquiry.shop_id.in_(ids), after)
    return session.scalar(query) or 0
