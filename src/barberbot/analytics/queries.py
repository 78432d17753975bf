"""The aggregates, computed by the database: only counts (and one page of rows) come back.

However many inquiries a shop has, each query returns at most a few hundred rows (counts per
band, type, hour ...), so the dashboard's memory does not grow with the data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, and_, distinct, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from barberbot.analytics.bands import band_expression, bands_condition
from barberbot.analytics.filters import Period, Selection
from barberbot.models import Inquiry

customer_key = func.coalesce(Inquiry.email, Inquiry.phone)
age_band = band_expression(Inquiry.age)
GROUPINGS: dict[str, Any] = {
    "gender": Inquiry.gender,
    "inquiry_type": Inquiry.inquiry_type,
    "age_band": age_band,
    "age": Inquiry.age,
    "location": Inquiry.location,
    "shop_id": Inquiry.shop_id,
}


def conditions(selection: Selection, period: Period | None = None) -> list[ColumnElement[bool]]:
    period = period or selection.period
    where = [
        Inquiry.shop_id.in_(selection.shop_ids),
        Inquiry.received_at >= period.start,
        Inquiry.received_at < period.end,
    ]
    if selection.genders:
        where.append(Inquiry.gender.in_(selection.genders))
    if selection.inquiry_types:
        where.append(Inquiry.inquiry_type.in_(selection.inquiry_types))
    if selection.age_bands:
        where.append(bands_condition(Inquiry.age, list(selection.age_bands)))
    if selection.locations:
        where.append(Inquiry.location.in_(selection.locations))
    return where


def totals(session: Session, selection: Selection, period: Period | None = None) -> dict[str, int]:
    """Inquiries, distinct customers and inquiries with marketing consent."""
    consenting = func.sum(func.cast(Inquiry.marketing_consent, Inquiry.age.type))
    query = select(func.count(), func.count(distinct(customer_key)), consenting).where(
        *conditions(selection, period)
    )
    inquiries, customers, consents = session.execute(query).one()
    return {"inquiries": inquiries, "customers": customers, "consenting": int(consents or 0)}


def counts(session: Session, selection: Selection, *by: str) -> pd.DataFrame:
    """Inquiries per combination of the `by` groupings, e.g. ('age_band', 'inquiry_type')."""
    columns = [GROUPINGS[name].label(name) for name in by]
    query = (
        select(*columns, func.count().label("inquiries"))
        .where(*conditions(selection))
        .group_by(*columns)
    )
    return pd.DataFrame(session.execute(query).all(), columns=[*by, "inquiries"])


def hourly(session: Session, selection: Selection, period: Period | None = None) -> pd.DataFrame:
    """Inquiries per UTC hour: the base of per-day series and the weekday x hour heat map.

    An hour is the finest grain local time needs (for zones a whole number of hours off UTC),
    and a year of it is 8,760 rows at most.
    """
    bucket = _hour_bucket(session).label("hour")
    query = (
        select(bucket, func.count().label("inquiries"))
        .where(*conditions(selection, period))
        .group_by(bucket)
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=["hour", "inquiries"])
    frame["hour"] = pd.to_datetime(frame["hour"], utc=True)
    return frame


def _hour_bucket(session: Session) -> ColumnElement[str]:
    if session.get_bind().dialect.name == "mysql":
        return func.date_format(Inquiry.received_at, "%Y-%m-%d %H:00:00")
    return func.strftime("%Y-%m-%d %H:00:00", Inquiry.received_at)


def returning_customers(session: Session, selection: Selection) -> dict[str, int]:
    """Customers of the period who had inquired before it (same e-mail or phone), and new ones."""
    earlier = aliased(Inquiry)
    before = [earlier.shop_id.in_(selection.shop_ids), earlier.received_at < selection.period.start]
    seen_before = or_(
        and_(Inquiry.email.is_not(None), exists().where(*before, earlier.email == Inquiry.email)),
        and_(Inquiry.phone.is_not(None), exists().where(*before, earlier.phone == Inquiry.phone)),
    )
    returning = func.count(distinct(func.nullif(_if(seen_before, customer_key), None)))
    query = select(func.count(distinct(customer_key)), returning).where(*conditions(selection))
    customers, back = session.execute(query).one()
    return {"new": customers - back, "returning": back}


def _if(condition: ColumnElement[bool], value: Any) -> Any:
    from sqlalchemy import case

    return case((condition, value), else_=None)


def latest(
    session: Session, selection: Selection, limit: int = 25, offset: int = 0
) -> list[Inquiry]:
    """One page of the selected inquiries, newest first."""
    query = (
        select(Inquiry)
        .where(*conditions(selection))
        .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def all_selected(session: Session, selection: Selection) -> list[Inquiry]:
    """Every selected inquiry, for a download (not for the dashboard's own figures)."""
    query = (
        select(Inquiry)
        .where(*conditions(selection))
        .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
    )
    return list(session.scalars(query))


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
