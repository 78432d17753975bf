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
from barberbot.inquiries import search, search_newest
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
    total: int  # every inquiry the filters match (at least, when `more`: "many")
    first: int  # the position of the first row, from 1 (0 when there are none)
    has_previous: bool
    has_next: bool
    more: bool = False  # a search for common words: many, more than `total` (not counted)

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
    size: int | None = None,
) -> Page:
    """The `size` rows (PAGE_SIZE) that follow `after` (or precede `before`) in the order;
    from the start with neither. A `before` that reaches the start gives the first page."""
    size = size or PAGE_SIZE
    found = _Found(session, shop_ids, filters, me)
    forward = before is None
    key = after if forward else before
    rows = found.first(order, forward, key, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        if not more:  # nothing before these: the first page, full
            return page(session, shop_ids, filters, order=order, me=me, size=size)
        rows.reverse()
    if not rows:
        total = found.total() if key is not None else search_newest.Total(0, more=False)
        return Page(rows, total.count, 0, has_previous=after is not None, has_next=False)
    ahead = 0 if key is None else found.count(_beyond(_key(rows[0]), order, False))
    last = ahead + len(rows)
    has_next = more if forward else True
    # the last page: the total is where it ends
    total = found.total() if has_next else search_newest.Total(last, more=False)
    return Page(
        rows,
        max(total.count, last) if total.more else total.count,
        ahead + 1,
        has_previous=ahead > 0,
        has_next=has_next,
        more=total.more,
    )


class _Found:
    """The inquiries the filters match, searched for common words newest first
    (`search_newest`) when they are, else with the ids the search finds leading."""

    def __init__(
        self, session: Session, shop_ids: Sequence[int], filters: InquiryFilters, me: int | None
    ) -> None:
        self.session = session
        self.led = inquiries.filtered_in(shop_ids, filters, me=me).order_by(None)
        self.plain: Select[Inquiry] | None = None
        self.words = search.Matcher([], [])
        if filters.q and search.common(session, shop_ids, filters.q):
            unsearched = filters.model_copy(update={"q": None})
            self.plain = inquiries.filtered_in(shop_ids, unsearched, me=me).order_by(None)
            self.words = search.matcher(session, shop_ids, filters.q)  # read once a page

    def first(self, order: Order, forward: bool, key: Key | None, limit: int) -> list[Inquiry]:
        beyond = [_beyond(key, order, forward)] if key is not None else []
        if self.plain is not None:
            descending = (order == Order.NEWEST) == forward
            ids = search_newest.first_ids(
                self.session, self.plain.where(*beyond), self.words,
                descending=descending, limit=limit,
            )  # fmt: skip
            if ids is not None:
                return inquiries.by_ids(self.session, ids)
        query = self.led.where(*beyond).order_by(*_sort(order, forward)).limit(limit)
        return inquiries.in_order(self.session, query)

    def total(self) -> search_newest.Total:
        if self.plain is not None:
            found = search_newest.total(self.session, self.plain, self.words)
            if found is not None:
                return found
        return search_newest.Total(count(self.session, self.led), more=False)

    def count(self, where: ColumnElement[bool]) -> int:
        """Those `where` holds: those before a page, which paging has read past."""
        if self.plain is None:
            return count(self.session, self.led.where(where))
        having = self.words.having(Inquiry.id, Inquiry.shop_id)
        return count(self.session, self.plain.where(where, having))


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
