"""The response target: an inquiry still `new` after it is overdue.

A shop answers within `RESPONSE_TARGET` of working time, counted in the shop's time zone
over its working hours (Monday to Saturday, 09:00 to 18:00, for now the same for every shop:
a later change makes them a shop's setting, through `target_for`). An inquiry received on
Saturday at 16:00 is due on Monday at 11:00; one received on Sunday, on Monday at 13:00.

`due_at` says when one inquiry is due (the overdue reminders use it). Counting the overdue
ones needs no per-row arithmetic: `due_at` only grows with the arrival time, so for a shop at
a moment there is one latest arrival that is overdue (`overdue_through`), and the overdue
inquiries are the `new` ones received at or before it, an index range (`overdue_clause`).
Working windows are turned into instants day by day through the zone, so a day of a DST
change has the length it really has.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, or_

from barberbot.models import Inquiry, InquiryStatus, Shop

RESPONSE_TARGET = timedelta(hours=4)
WORKING_DAYS = frozenset({0, 1, 2, 3, 4, 5})  # Monday to Saturday (date.weekday())
OPENS = time(9)
CLOSES = time(18)


@dataclass(frozen=True)
class Target:
    """How soon a shop answers, in working time, and when it works."""

    within: timedelta = RESPONSE_TARGET
    days: frozenset[int] = field(default=WORKING_DAYS)
    opens: time = OPENS
    closes: time = CLOSES

    def __post_init__(self) -> None:
        # a week with no working time would never make anything due
        if self.within <= timedelta(0) or not self.days or self.opens >= self.closes:
            raise ValueError("A response target needs working time: days, and opens < closes.")


DEFAULT = Target()


def target_for(shop: Shop) -> Target:
    """The shop's target (the default for every shop until shops can set their own)."""
    return DEFAULT


def _window(day: date, zone: ZoneInfo, target: Target) -> tuple[datetime, datetime] | None:
    """The day's working hours as UTC instants, or None on a day off."""
    if day.weekday() not in target.days:
        return None
    opens = datetime.combine(day, target.opens, zone).astimezone(UTC)
    closes = datetime.combine(day, target.closes, zone).astimezone(UTC)
    return opens, closes


def due_at(received_at: datetime, shop: Shop, target: Target | None = None) -> datetime:
    """When an inquiry received then is overdue: `within` of working time later (UTC)."""
    target = target or target_for(shop)
    zone = ZoneInfo(shop.timezone)
    left = target.within
    day = received_at.astimezone(zone).date()
    while True:
        window = _window(day, zone, target)
        if window is not None:
            start, end = max(window[0], received_at), window[1]
            if start < end:
                if left <= end - start:
                    return start + left
                left -= end - start
        day += timedelta(days=1)


def overdue_through(now: datetime, shop: Shop, target: Target | None = None) -> datetime:
    """The latest arrival that is overdue at `now`: `due_at(t) <= now` exactly when
    `t <= overdue_through(now)` (the target counted back from now over working hours)."""
    target = target or target_for(shop)
    zone = ZoneInfo(shop.timezone)
    left = target.within
    day = now.astimezone(zone).date()
    while True:
        window = _window(day, zone, target)
        if window is not None:
            start, end = window[0], min(window[1], now)
            if start < end:
                if left <= end - start:
                    return end - left
                left -= end - start
        day -= timedelta(days=1)


def cutoffs(shops: Sequence[Shop], now: datetime) -> dict[int, datetime]:
    """Each shop's latest overdue arrival at `now`."""
    return {shop.id: overdue_through(now, shop) for shop in shops}


def overdue_clause(through: Mapping[int, datetime]) -> ColumnElement[bool]:
    """Inquiries overdue now: still new, received at or before their shop's cutoff."""
    if not through:
        return false()
    return and_(
        Inquiry.status == InquiryStatus.NEW.value,
        or_(
            *(
                and_(Inquiry.shop_id == shop_id, Inquiry.received_at <= cutoff)
                for shop_id, cutoff in through.items()
            )
        ),
    )


def is_overdue(inquiry: Inquiry, shop: Shop, now: datetime) -> bool:
    return inquiry.status == InquiryStatus.NEW and due_at(inquiry.received_at, shop) <= now
