"""Customers of a filtered view, from the inquiries' links to the customers table.

The view's inquiries are found by their filter's own index (`queries.narrowed`), each one's
customer by its link (`customer_inquiries`), and whether the customer is new by their first
inquiry — never the e-mails and phones of the period, which a filtered year of a busy shop has
tens of thousands of, each to be looked up in its index. An inquiry-type filter alone is read
from the links themselves, whose (shop, type, time, customer) index covers it.

The customers are the table's: connected over all time, as the unfiltered views count them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from barberbot.analytics import queries
from barberbot.analytics.filters import Selection
from barberbot.models import Customer, CustomerInquiry, Inquiry


def count(session: Session, selection: Selection) -> dict[str, int]:
    """{"customers", "new", "returning"} of a one-shop view whose inquiries are all linked."""
    chosen = _customer_ids(selection).subquery()
    is_new = case((Customer.first_inquiry_at >= selection.period.start, 1), else_=0)
    query = select(func.count(), func.coalesce(func.sum(is_new), 0)).select_from(
        chosen.join(Customer, Customer.id == chosen.c.customer_id)
    )
    total, new = (int(n) for n in session.execute(query).one())
    return {"customers": total, "new": new, "returning": total - new}


def _customer_ids(selection: Selection) -> Any:
    """The distinct customers of the view's inquiries."""
    period = selection.period
    if _types_only(selection):
        return (
            select(CustomerInquiry.customer_id)
            .where(
                CustomerInquiry.shop_id.in_(selection.shop_ids),
                CustomerInquiry.inquiry_type.in_(selection.inquiry_types),
                CustomerInquiry.received_at >= period.start,
                CustomerInquiry.received_at < period.end,
            )
            .distinct()
        )
    inquiries = queries.narrowed(
        selection, select(Inquiry.id).where(*queries.conditions(selection))
    ).subquery()
    return (
        select(CustomerInquiry.customer_id)
        .select_from(inquiries)
        .join(CustomerInquiry, CustomerInquiry.inquiry_id == inquiries.c.id)
        .distinct()
    )


def _types_only(selection: Selection) -> bool:
    return bool(selection.inquiry_types) and not (
        selection.genders or selection.age_bands or selection.locations or selection.by_answers
    )
