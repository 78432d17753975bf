"""Finding and forgetting inquiries (storing them is `inquiries.writer`'s). Services flush;
the edge commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, delete, false, or_, select
from sqlalchemy.orm import Session

from barberbot.forms.store import AnswerStore
from barberbot.inquiries import search, search_newest, settled
from barberbot.inquiries.filters import ASSIGNEE_ME, ASSIGNEE_NONE, InquiryFilters
from barberbot.models import Inquiry, Shop


def get(session: Session, shop: Shop, inquiry_id: uuid.UUID) -> Inquiry | None:
    inquiry = session.get(Inquiry, inquiry_id)
    return inquiry if inquiry is not None and inquiry.shop_id == shop.id else None


def forget(
    session: Session, shop: Shop, inquiry_id: uuid.UUID, answers: AnswerStore | None = None
) -> bool:
    """Erase an inquiry and every trace of it (the customer asked to be forgotten)."""
    found = get(session, shop, inquiry_id)
    if found is None:
        return False
    settled.mark_late(session, [(shop.id, found.received_at)])
    if answers is not None:
        answers.forget(session, inquiry_id)
    session.execute(delete(Inquiry).where(Inquiry.id == inquiry_id))
    session.flush()
    return True


def filtered(shop: Shop, filters: InquiryFilters, *, me: int | None = None) -> Select[Inquiry]:
    """Newest first, then by id, so the order is total and a cursor can resume it; `me` is
    the user an `assignee=me` filter means."""
    return filtered_in([shop.id], filters, me=me)


def filtered_in(
    shop_ids: Sequence[int], filters: InquiryFilters, *, me: int | None = None
) -> Select[Inquiry]:
    """`filtered` over several shops at once (an owner's inbox across their shops)."""
    # With a search, the ids it finds lead (`search.narrowed`): the shop is then checked on
    # each found inquiry (`+ 0`: an expression no index of the shop's can serve instead)
    shop_id = Inquiry.shop_id + 0 if filters.q else Inquiry.shop_id
    query = select(Inquiry).where(
        shop_id == shop_ids[0] if len(shop_ids) == 1 else shop_id.in_(shop_ids)
    )
    if filters.received_from is not None:
        query = query.where(Inquiry.received_at >= filters.received_from)
    if filters.received_to is not None:
        query = query.where(Inquiry.received_at < filters.received_to)
    if filters.inquiry_type:
        query = query.where(Inquiry.inquiry_type == filters.inquiry_type)
    if filters.location:
        query = query.where(Inquiry.location == filters.location)
    if filters.gender:
        query = query.where(Inquiry.gender == filters.gender.value)
    if filters.age_min is not None:
        query = query.where(Inquiry.age >= filters.age_min)
    if filters.age_max is not None:
        query = query.where(Inquiry.age <= filters.age_max)
    if filters.status:
        query = query.where(Inquiry.status.in_([status.value for status in filters.status]))
    if filters.assignee is not None:
        query = query.where(_assigned(filters.assignee, me))
    if filters.q:  # the search is per shop (each shop's own words)
        query = search.narrowed(query, shop_ids, filters.q)
    return query.order_by(Inquiry.received_at.desc(), Inquiry.id.desc())


def _assigned(assignee: str, me: int | None) -> ColumnElement[bool]:
    if assignee == ASSIGNEE_NONE:
        return Inquiry.assignee_id.is_(None)
    if assignee == ASSIGNEE_ME:
        return Inquiry.assignee_id == me if me is not None else false()
    return Inquiry.assignee_id == int(assignee)


def page(
    session: Session,
    shop: Shop,
    filters: InquiryFilters,
    *,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None = None,
    me: int | None = None,
) -> Sequence[Inquiry]:
    """Up to `limit + 1` inquiries after the cursor position; the extra one signals more."""
    if filters.q and search.common(session, [shop.id], filters.q):
        plain = filtered(shop, filters.model_copy(update={"q": None}), me=me).order_by(None)
        plain = plain.where(older_than(after)) if after is not None else plain
        words = search.matcher(session, [shop.id], filters.q)
        ids = search_newest.first_ids(session, plain, words, descending=True, limit=limit + 1)
        if ids is not None:
            return by_ids(session, ids)
    query = filtered(shop, filters, me=me)
    query = query.where(older_than(after)) if after is not None else query
    return in_order(session, query.limit(limit + 1))


def older_than(key: tuple[datetime, uuid.UUID]) -> ColumnElement[bool]:
    """After `key` newest first: received before it, or at the same time with a lower id."""
    at, last_id = key
    return or_(Inquiry.received_at < at, and_(Inquiry.received_at == at, Inquiry.id < last_id))


def in_order(session: Session, query: Select[Inquiry]) -> list[Inquiry]:
    """A page of a sorted, limited query: its ids first, then those rows.

    The ids and the order come from an index alone (every index of the inquiries holds the
    received time and the id), so a database that must sort every match (MariaDB, for the
    open statuses of a busy shop) sorts small index entries instead of whole rows, and reads
    only the page's rows; then the page is read by id.
    """
    return by_ids(session, list(session.scalars(query.with_only_columns(Inquiry.id))))


def by_ids(session: Session, ids: Sequence[uuid.UUID]) -> list[Inquiry]:
    """The inquiries with these ids, in their order."""
    if not ids:
        return []
    found = {row.id: row for row in session.scalars(select(Inquiry).where(Inquiry.id.in_(ids)))}
    return [found[inquiry_id] for inquiry_id in ids if inquiry_id in found]


def all_matching(
    session: Session, shop: Shop, filters: InquiryFilters, *, me: int | None = None
) -> Sequence[Inquiry]:
    return session.scalars(filtered(shop, filters, me=me)).all()


def latest(session: Session, shop: Shop, limit: int = 50) -> Sequence[Inquiry]:
    return session.scalars(filtered(shop, InquiryFilters()).limit(limit)).all()
