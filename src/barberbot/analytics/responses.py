"""How fast the shop answers: time to first response and what is still waiting.

An inquiry's **first response** is the earliest of its events that answered the customer: a
reply, or its status set to waiting, booked or closed (a shop that rang the customer back and
booked them has answered, though it wrote nothing here). The times come from the events
(`inquiry_events`), never from a figure kept by hand. Spam is left out of every figure.

Figures are for the inquiries *received* in the selection's period: how many were answered,
the median and 90th percentile hours to the first response, and the same for the period
before; how many are still waiting (new, or opened and not answered); each by inquiry type
and by location. The events of a period are as many as the shop's own answers, so a busy
shop's million inquiries cost one indexed count, not a scan.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import ColumnElement, Exists, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from barberbot.analytics.filters import Period, Selection
from barberbot.analytics.queries import conditions
from barberbot.core.choices import InquiryStatus
from barberbot.models import Inquiry, InquiryEvent
from barberbot.models.inbox import EventKind

ANSWERING_STATUSES = (InquiryStatus.WAITING, InquiryStatus.BOOKED, InquiryStatus.CLOSED)
WAITING_STATUSES = (InquiryStatus.NEW, InquiryStatus.OPEN)
GROUPS = ("inquiry_type", "location")
_COLUMNS = ["inquiry_type", "location", "hours"]


@dataclass(frozen=True)
class Times:
    """First-response times of one period's inquiries (hours; None when none answered)."""

    answered: int
    median_hours: float | None
    p90_hours: float | None


@dataclass(frozen=True)
class Responses:
    now: Times
    before: Times  # the period of the same length just before
    waiting: int
    # one row per inquiry type / location ("" for none): answered, median_hours,
    # p90_hours, waiting; most waiting first
    by_type: pd.DataFrame
    by_location: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.now.answered == 0 and self.waiting == 0 and self.before.answered == 0


def response_times(session: Session, selection: Selection) -> Responses:
    current = _first_responses(session, selection, selection.period)
    earlier = _first_responses(session, selection, selection.period.previous())
    waiting = _waiting(session, selection)
    return Responses(
        now=_times(current["hours"]),
        before=_times(earlier["hours"]),
        waiting=int(waiting["waiting"].sum()),
        by_type=_by(current, waiting, "inquiry_type"),
        by_location=_by(current, waiting, "location"),
    )


def _first_responses(session: Session, selection: Selection, period: Period) -> pd.DataFrame:
    """inquiry_type, location, hours: one row per inquiry of the period that was answered."""
    answered = or_(
        InquiryEvent.kind == EventKind.REPLY,
        and_(
            InquiryEvent.kind == EventKind.STATUS,
            InquiryEvent.to_value.in_([status.value for status in ANSWERING_STATUSES]),
        ),
    )
    first = (
        select(InquiryEvent.inquiry_id, func.min(InquiryEvent.at).label("at"))
        .where(
            InquiryEvent.shop_id.in_(selection.shop_ids),
            InquiryEvent.at >= period.start,  # answered after it came: read by (shop, kind, at)
            answered,
        )
        .group_by(InquiryEvent.inquiry_id)
        .subquery()
    )
    query = (
        select(Inquiry.inquiry_type, Inquiry.location, Inquiry.received_at, first.c.at)
        .join(first, first.c.inquiry_id == Inquiry.id)
        .where(*conditions(selection, period), Inquiry.status != InquiryStatus.SPAM)
    )
    rows = [
        (kind, location or "", _hours(received, at))
        for kind, location, received, at in session.execute(query)
    ]
    return pd.DataFrame(rows, columns=_COLUMNS)


def _waiting(session: Session, selection: Selection) -> pd.DataFrame:
    """inquiry_type, location, waiting: the period's inquiries nobody has answered yet."""
    query = (
        select(Inquiry.inquiry_type, Inquiry.location, func.count())
        .where(
            *conditions(selection),
            Inquiry.status.in_([status.value for status in WAITING_STATUSES]),
            ~_answered(Inquiry.id),
        )
        .group_by(Inquiry.inquiry_type, Inquiry.location)
    )
    rows = [(kind, location or "", count) for kind, location, count in session.execute(query)]
    return pd.DataFrame(rows, columns=["inquiry_type", "location", "waiting"])


def _answered(inquiry_id: ColumnElement[uuid.UUID] | InstrumentedAttribute[uuid.UUID]) -> Exists:
    """Whether a reply went to the inquiry: one set back to open after a reply is not
    waiting for its first answer."""
    return (
        select(InquiryEvent.id)
        .where(InquiryEvent.inquiry_id == inquiry_id, InquiryEvent.kind == EventKind.REPLY)
        .exists()
    )


def _hours(received: datetime, answered: datetime) -> float:
    return max((answered - received).total_seconds(), 0.0) / 3600


def _times(hours: pd.Series) -> Times:
    if hours.empty:
        return Times(0, None, None)
    return Times(len(hours), float(hours.median()), float(hours.quantile(0.9)))


def _by(answered: pd.DataFrame, waiting: pd.DataFrame, column: str) -> pd.DataFrame:
    times = answered.groupby(column)["hours"].agg(
        answered="count", median_hours="median", p90_hours=lambda h: h.quantile(0.9)
    )
    still = waiting.groupby(column)["waiting"].sum()
    table = times.join(still, how="outer").fillna({"answered": 0, "waiting": 0})
    table[["answered", "waiting"]] = table[["answered", "waiting"]].astype(int)
    ordered: pd.DataFrame = table.reset_index().sort_values(
        ["waiting", "answered"], ascending=False
    )
    return ordered


def duration(hours: float | None) -> str:
    """Hours as an owner reads them: '45 min', '2 h 30 min', '3.5 days'; '—' for none."""
    if hours is None:
        return "—"
    minutes = round(hours * 60)
    if minutes < 60:
        return f"{minutes} min"
    if hours < 48:
        whole, rest = divmod(minutes, 60)
        return f"{whole} h {rest} min" if rest else f"{whole} h"
    return f"{hours / 24:.1f} days"
