"""The dashboard's unique, new and returning customers: from the customers table when it can.

For one shop, no filters, and a period [S, E) that ends after the shop's newest inquiry (the
presets end now), the customers table answers exactly: a customer inquired in the period if
their last inquiry is on or after S, and is new if their first one is. Both are a sum over
`customer_days` after S's day plus an index count within S's own day, so a year costs as much
as a month. The table is brought up to date first by an incremental sync (cheap once the shop
has a settled mark); any other view, or a shop that is neither synced before nor small enough
to sync now, is counted from the inquiries by `queries.customers`.

The table's customers are connected over all time, the query's over the period's inquiries
only: an inquiry before the period that joins two contacts makes one customer here, two there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import InstrumentedAttribute, Session

from barberbot.analytics import linked_customers, queries
from barberbot.analytics.filters import Selection
from barberbot.customers import service as customers
from barberbot.inquiries import settled
from barberbot.models import Customer, CustomerDay, Inquiry, Shop

# inquiries a request may link: all of a shop never synced, or those waiting in one synced
SMALL_SHOP = 20_000


def count(session: Session, selection: Selection, shops: list[Shop]) -> dict[str, int]:
    """{"customers", "new", "returning"} of the view; may sync (the caller commits)."""
    shop = _one_shop(selection, shops)
    if shop is None or not _synced(session, shop):
        return queries.customers(session, selection)
    if selection.filtered or not _ends_after_newest(session, selection):
        return linked_customers.count(session, selection)
    return _from_table(session, shop.id, selection.period.start)


def _one_shop(selection: Selection, shops: list[Shop]) -> Shop | None:
    """The one shop of a view, whose customers the table has."""
    if len(shops) != 1 or selection.shop_ids != (shops[0].id,):
        return None
    return shops[0]


def _synced(session: Session, shop: Shop) -> bool:
    """Bring the shop's customers up to date: incrementally, or fully if the shop is small.
    False if they are not (a large shop never synced, a large import waiting to be linked,
    another writer won a race): the sender or `barberbot customers sync` links them."""
    try:
        with session.begin_nested():
            if customers.sync_recent(session, shop, most=SMALL_SHOP) is not None:
                return True
            if _is_small(session, shop):
                customers.sync(session, shop)
                return True
            return False
    except DBAPIError:
        session.rollback()
        return False


def _is_small(session: Session, shop: Shop) -> bool:
    """At most SMALL_SHOP inquiries, counted no further than one past it."""
    some = select(Inquiry.id).where(Inquiry.shop_id == shop.id).limit(SMALL_SHOP + 1).subquery()
    return (session.scalar(select(func.count()).select_from(some)) or 0) <= SMALL_SHOP


def _ends_after_newest(session: Session, selection: Selection) -> bool:
    newest = queries.newest(session, selection.shop_ids)
    return newest is None or newest < selection.period.end


def _from_table(session: Session, shop_id: int, start: datetime) -> dict[str, int]:
    day = settled.day_of(start)
    unique = _on_or_after(shop_id, start, day, CustomerDay.lasts, Customer.last_inquiry_at)
    new = _on_or_after(shop_id, start, day, CustomerDay.firsts, Customer.first_inquiry_at)
    total, fresh = (int(n) for n in session.execute(select(unique, new)).one())
    return {"customers": total, "new": fresh, "returning": total - fresh}


def _on_or_after(
    shop_id: int,
    start: datetime,
    day: int,
    per_day: InstrumentedAttribute[int],
    at: InstrumentedAttribute[datetime],
) -> ColumnElement[int]:
    """Customers whose `at` is on or after start: the days after start's day, from
    `customer_days`, and start's own day on the customers' index."""
    later: ScalarSelect[int] = (
        select(func.coalesce(func.sum(per_day), 0))
        .where(CustomerDay.shop_id == shop_id, CustomerDay.day > day)
        .scalar_subquery()
    )
    same_day: ScalarSelect[int] = (
        select(func.count())
        .where(Customer.shop_id == shop_id, at >= start, at < settled.start_of(day + 1))
        .scalar_subquery()
    )
    return later + same_day
