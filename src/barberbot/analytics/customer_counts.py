"""The dashboard's unique, new and returning customers: from the customers table when it can.

For one shop, no filters, and a period [S, E) that ends after the shop's newest inquiry (the
presets end now), the customers table answers exactly: a customer inquired in the period if
their last inquiry is on or after S, and is new if their first one is. Both are a sum over
`customer_days` after S's day plus an index count within S's own day, so a year costs as much
as a month. The table is read only while it has taken in every inquiry of the shop
(`customers.is_current`): the writers' side keeps it so (`analytics/settling.py`). Any other
view, or a shop whose table is behind (never synced, inquiries not linked yet, a late or
forgotten one), is counted from the inquiries by `queries.customers`; nothing here writes.

The table's customers are connected over all time, the query's over the period's inquiries
only: an inquiry before the period that joins two contacts makes one customer here, two there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from barberbot.analytics import linked_customers, queries
from barberbot.analytics.filters import Selection
from barberbot.customers import service as customers
from barberbot.inquiries import settled
from barberbot.models import Customer, CustomerDay, Shop


def count(session: Session, selection: Selection, shops: list[Shop]) -> dict[str, int]:
    """{"customers", "new", "returning"} of the view. Reads only."""
    shop = _one_shop(selection, shops)
    if shop is None or not customers.is_current(session, shop):
        return queries.customers(session, selection)
    if selection.filtered or not _ends_after_newest(session, selection):
        return linked_customers.count(session, selection)
    return _from_table(session, shop.id, selection.period.start)


def _one_shop(selection: Selection, shops: list[Shop]) -> Shop | None:
    """The one shop of a view, whose customers the table has."""
    if len(shops) != 1 or selection.shop_ids != (shops[0].id,):
        return None
    return shops[0]


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
