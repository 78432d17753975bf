"""A search for common words (`search.common`), read newest first: the inquiries the other
filters keep, in the list's order, each tested for the words (`search.Matcher`), among the
first WINDOW of them only. A page of a common word is among the newest few hundred; if those
WINDOW hold too few, the caller lets the found ids lead instead (`search.narrowed`), so no
search reads more than WINDOW inquiries this way. Its total is "many" when a full window held
at least MANY (counting them all would read every inquiry with the word).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, Subquery, case, func, select
from sqlalchemy.orm import Session

from barberbot.inquiries import search
from barberbot.models import Inquiry

WINDOW = 1_000  # inquiries read at most, newest first, for a page or a total
MANY = 50  # found in a full window: "many" (a page of them, and more beyond the window)
COVER_INDEX = "ix_inquiries_shop_received_cover"


@dataclass(frozen=True)
class Total:
    count: int
    more: bool  # there are more than `count`


def first_ids(
    session: Session,
    plain: Select[Inquiry],
    words: search.Matcher,
    *,
    descending: bool,
    limit: int,
) -> list[uuid.UUID] | None:
    """The ids of the first `limit` inquiries of `plain` (filtered, not searched) in the
    order that have the words; None when its first WINDOW hold fewer and it has more."""
    window = _window(plain, descending)
    found = select(window.c.id).where(words.having(window.c.id, window.c.shop_id))
    at, key = window.c.received_at, window.c.id
    order = (at.desc(), key.desc()) if descending else (at.asc(), key.asc())
    ids = list(session.scalars(found.order_by(*order).limit(limit)))
    if len(ids) < limit and _full(session, window):
        return None
    return ids


def total(session: Session, plain: Select[Inquiry], words: search.Matcher) -> Total | None:
    """How many inquiries of `plain` have the words among its newest WINDOW: all of them when
    that is every inquiry of `plain`, "many" (`more`) when a full window held at least MANY;
    None otherwise (few in the window, more beyond it: only a full count can tell). One
    reading of the window counts both."""
    window = _window(plain, descending=True)
    has = words.having(window.c.id, window.c.shop_id)
    read, found = session.execute(
        select(func.count(), func.coalesce(func.sum(case((has, 1), else_=0)), 0)).select_from(
            window
        )
    ).one()
    if read < WINDOW:
        return Total(int(found), more=False)
    return Total(int(found), more=True) if found >= MANY else None


def _window(plain: Select[Inquiry], descending: bool) -> Subquery:
    at, key = Inquiry.received_at, Inquiry.id
    order = (at.desc(), key.desc()) if descending else (at.asc(), key.asc())
    columns = plain.with_only_columns(Inquiry.id, Inquiry.shop_id, Inquiry.received_at)
    columns = search.force_index(columns, Inquiry, COVER_INDEX)  # in order, not sorted first
    return columns.order_by(*order).limit(WINDOW).subquery("newest")


def _full(session: Session, window: Subquery) -> bool:
    """The window holds WINDOW inquiries: there may be more beyond it."""
    return (session.scalar(select(func.count()).select_from(window)) or 0) >= WINDOW
