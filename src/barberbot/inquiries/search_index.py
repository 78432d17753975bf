"""Keeping the inbox's search index (`inquiry_terms`), on the writers' side.

A settling round (`analytics/settling.py`) indexes each shop's inquiries of the settled days,
oldest first, at most `most` of them a round, and moves the shop's `SearchMark` up to where it
got; days a late inquiry was stored for (a desktop sync, an import) are indexed again. The
capture path never writes here: a search reads the inquiries the index does not hold yet.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, delete, select
from sqlalchemy.orm import Session

from barberbot.inquiries import settled
from barberbot.inquiries.search import terms
from barberbot.inquiries.settled import DAY, start_of
from barberbot.models import Inquiry, InquiryTerm, SearchMark

READER = "search"  # the index's name among the settled readers
ROUND_MOST = 50_000  # inquiries indexed by one round; a bigger backlog takes several
_Row = Row[uuid.UUID, datetime, str, str | None, str | None, str]
_COLUMNS = (Inquiry.id, Inquiry.received_at, Inquiry.customer_name, Inquiry.email,
            Inquiry.phone, Inquiry.message)  # fmt: skip


def settle(
    session: Session, shop_id: int, now: datetime | None = None, most: int = ROUND_MOST
) -> int:
    """Index the shop's late days again, then up to `most` inquiries not indexed yet;
    how many inquiries were indexed (the caller commits)."""
    before = start_of(settled.settled_before(now))
    mark = session.get(SearchMark, shop_id)
    marks = settled.late_days(session, shop_id, READER)
    done = 0
    if mark is not None:
        for day in sorted({day for day in marks.values() if start_of(day) < mark.indexed_before}):
            end = min(start_of(day) + DAY, mark.indexed_before)  # the rest: not indexed yet
            done += _index_again(session, shop_id, start_of(day), end)
    settled.clear_late(session, marks)
    start = mark.indexed_before if mark is not None else None
    if start is not None and start >= before:
        return done
    rows = _unindexed(session, shop_id, start, before, most)
    if start is not None:  # those at the mark itself may be there already
        _forget(session, [row[0] for row in rows if row[1] == start])
    _insert(session, shop_id, rows)
    reached = before if len(rows) < most else rows[-1][1]
    if mark is None:
        session.add(SearchMark(shop_id=shop_id, indexed_before=reached))
    else:
        mark.indexed_before = reached
    session.flush()
    return done + len(rows)


def _unindexed(
    session: Session, shop_id: int, start: datetime | None, before: datetime, most: int
) -> Sequence[_Row]:
    query = select(*_COLUMNS).where(Inquiry.shop_id == shop_id, Inquiry.received_at < before)
    if start is not None:
        query = query.where(Inquiry.received_at >= start)
    return session.execute(query.order_by(Inquiry.received_at).limit(most)).all()


def _index_again(session: Session, shop_id: int, start: datetime, end: datetime) -> int:
    """A late day's inquiries indexed from scratch (stored late, or forgotten since)."""
    rows = session.execute(
        select(*_COLUMNS).where(
            Inquiry.shop_id == shop_id, Inquiry.received_at >= start, Inquiry.received_at < end
        )
    ).all()
    _forget(session, [row[0] for row in rows])
    _insert(session, shop_id, rows)
    return len(rows)


def _forget(session: Session, ids: Sequence[uuid.UUID]) -> None:
    for first in range(0, len(ids), 500):
        chunk = ids[first : first + 500]
        session.execute(delete(InquiryTerm).where(InquiryTerm.inquiry_id.in_(chunk)))


def _insert(
    session: Session,
    shop_id: int,
    rows: Sequence[_Row],
) -> None:
    """Every term of every row, by executemany of plain values (millions for a big shop)."""
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO inquiry_terms (shop_id, term, inquiry_id) VALUES ({marker}, {marker}, "
        f"{marker})"
    )
    values = sorted(  # in the key's order: the index is written page after page
        (shop_id, term, str(inquiry_id))
        for inquiry_id, _, name, email, phone, message in rows
        for term in terms(name, email, phone, message)
    )
    for first in range(0, len(values), 20_000):
        connection.exec_driver_sql(statement, values[first : first + 20_000])
