"""The inbox list: a page of a shop's (or several shops') inquiries, newest first or oldest
first, resumed from a row on either side (keyset paging), with the total it is a page of.

The filters, search included, are the inquiry list's own (`inquiries.service.filtered_in`
with `InquiryFilters`): this module adds only the order and the paging. Reads only.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, UnaryExpression, and_, func, or_, select
from sqlalchemy.orm import Session

from barberbot.core.choices import InquiryStatus
from barberbot.inquiries import service as inquiries
from barberbot.inquiries.filters import InquiryFilters
from barberbot.models import Inquiry

PAGE_SIZE = 50
# what an inbox shows unless asked otherwise: everything someone may still have to act on
OPEN_STATUSES = (
    InquiryStatus.NEW,
    InquiryStatus.OPEN,
    InquiryStatus.WAITING,
    InquiryStatus.BOOKED,
)

Key = tuple[datetime, uuid.UUID]


class Order(enum.StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"  # the one waiting longest first


@dataclass(frozen=True)
class Page:
    rows: Sequence[Inquiry]
    total: int  # every inquiry the filters match
    first: int  # the position of the first row, from 1 (0 when there are none)
    has_previous: bool
    has_next: bool

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def page(
    session: Session,
    shop_ids: Sequence[int],
    filters: InquiryFilters,
    *,
    order: Order = Order.NEWEST,
    after: Key | None = None,
    before: Key | None = None,
    me: int | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """The `size` rows that follow `after` (or precede `before`) in the order; from the
    start with neither. A `before` that reaches the start gives the first page."""
    base = inquiries.filtered_in(shop_ids, filters, me=me).order_by(None)
    forward = before is None
    key = after if forward else before
    query = base.where(_beyond(key, order, forward)) if key is not None else base
    rows = inquiries.in_order(session, query.order_by(*_sort(order, forward)).limit(size + 1))
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        if not more:  # nothing before these: the first page, full
            return page(session, shop_ids, filters, order=order, me=me, size=size)
        rows.reverse()
    total = count(session, base)
    if not rows:
        return Page(rows, total, 0, has_previous=after is not None, has_next=False)
    ahead = 0 if key is None else count(session, base.where(_beyond(_key(rows[0]), order, False)))
    return Page(
        rows,
        total,
        ahead + 1,
        has_previous=ahead > 0,
        has_next=more if forward else True,
    )


def count(session: Session, query: Select[Inquiry]) -> int:
    """How many rows a filtered query has (kept apart: a faster count can replace it)."""
    return session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def _key(inquiry: Inquiry) -> Key:
    return inquiry.received_at, inquiry.id


def _sort(order: Order, forward: bool) -> tuple[UnaryExpression[Any], ...]:
    descending = (order == Order.NEWEST) == forward
    if descending:
        return Inquiry.received_at.desc(), Inquiry.id.desc()
    return Inquiry.received_at.asc(), Inquiry.id.asc()


def _beyond(key: Key, order: Order, forward: bool) -> ColumnElement[bool]:
    """Rows after the key in the order (`forward`), or before it."""
    at, last_id = key
    if (order == Order.NEWEST) == forward:
        return or_(Inquiry.received_at < at, and_(Inquiry.received_at == at, Inquiry.id < last_id))
    return or_(Inquiry.received_at > at, and_(Inquiry.received_at == at, Inquiry.id > last_id))
