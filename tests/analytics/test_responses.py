"""Time to first response and what is still waiting, from the events, for hand-counted
inquiries, on SQLite and MariaDB."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from barberbot.analytics.filters import Selection, period_for
from barberbot.analytics.responses import Responses, response_times
from barberbot.models import Inquiry, InquiryEvent, Shop
from barberbot.models.inbox import EventKind
from tests.factories import make_inquiry, make_shop

UTC_ZONE = ZoneInfo("UTC")
WEEK = period_for(None, zone=UTC_ZONE, now=datetime.now(UTC), start=date(2026, 11, 2),
                  end=date(2026, 11, 8))  # fmt: skip


def at(day: int, hour: float, month: int = 11) -> datetime:
    return datetime(2026, month, day, tzinfo=UTC) + timedelta(hours=hour)


def event(session: Session, inquiry: Inquiry, when: datetime, kind: EventKind,
          to: str | None = None) -> None:  # fmt: skip
    session.add(InquiryEvent(inquiry_id=inquiry.id, shop_id=inquiry.shop_id, at=when,
                             kind=kind.value, to_value=to))  # fmt: skip
    session.flush()


def inquiry(
    session: Session, shop: Shop, when: datetime, status: str = "new", **fields: Any
) -> Inquiry:
    made = make_inquiry(session, shop=shop, received_at=when, **fields)
    made.status = status
    session.flush()
    return made


@pytest.fixture
def answered(session: Session, shop: Shop) -> Shop:
    """This week: replies after 1 h, 2 h and 10 h, one booked by phone after 3 h, one still
    new, one opened but unanswered, one spam answered at once; the week before: 4 h."""
    a = inquiry(session, shop, at(2, 9), "waiting", inquiry_type="haircut", location="Soho")
    event(session, a, at(2, 10), EventKind.REPLY)
    event(session, a, at(2, 12), EventKind.REPLY)  # a second reply: not the first
    b = inquiry(session, shop, at(3, 9), "waiting", inquiry_type="haircut", location="Soho")
    event(session, b, at(3, 9) + timedelta(minutes=30), EventKind.STATUS, "open")  # not an answer
    event(session, b, at(3, 11), EventKind.REPLY)
    c = inquiry(session, shop, at(4, 9), "waiting", inquiry_type="shave", location="")
    event(session, c, at(4, 19), EventKind.REPLY)
    d = inquiry(session, shop, at(5, 9), "booked", inquiry_type="shave", location="Soho")
    event(session, d, at(5, 12), EventKind.STATUS, "booked")  # rang back and booked
    inquiry(session, shop, at(6, 9), inquiry_type="haircut", location="Soho")  # still new
    e = inquiry(session, shop, at(6, 10), "open", inquiry_type="shave", location="")
    event(session, e, at(6, 11), EventKind.STATUS, "open")
    spam = inquiry(session, shop, at(6, 12), "spam", inquiry_type="haircut")
    event(session, spam, at(6, 12), EventKind.STATUS, "spam")
    event(session, spam, at(6, 12), EventKind.REPLY)
    old = inquiry(session, shop, at(28, 9, month=10), "waiting", inquiry_type="haircut")
    event(session, old, at(28, 13, month=10), EventKind.REPLY)
    return shop


def figures(session: Session, *shops: Shop, inquiry_types: tuple[str, ...] = ()) -> Responses:
    selection = Selection(tuple(s.id for s in shops), WEEK, inquiry_types=inquiry_types)
    return response_times(session, selection)


def test_the_first_response_times_and_the_waiting(session: Session, answered: Shop) -> None:
    found = figures(session, answered)
    assert found.now.answered == 4  # 1 h, 2 h, 10 h, 3 h (spam and the unanswered left out)
    assert found.now.median_hours == pytest.approx(2.5)
    assert found.now.p90_hours == pytest.approx(3 + 0.7 * 7)  # between 3 h and 10 h
    assert found.before.answered == 1
    assert found.before.median_hours == pytest.approx(4)
    assert found.waiting == 2  # the new one and the opened one


def test_by_type_and_by_location(session: Session, answered: Shop) -> None:
    found = figures(session, answered)
    by_type = found.by_type.set_index("inquiry_type")
    assert by_type.loc["haircut", "answered"] == 2
    assert by_type.loc["haircut", "median_hours"] == pytest.approx(1.5)
    assert by_type.loc["haircut", "waiting"] == 1
    assert by_type.loc["shave", "answered"] == 2
    assert by_type.loc["shave", "waiting"] == 1
    by_location = found.by_location.set_index("location")
    assert by_location.loc["Soho", "answered"] == 3
    assert by_location.loc["Soho", "waiting"] == 1
    assert by_location.loc["", "answered"] == 1
    assert by_location.loc["", "waiting"] == 1


def test_the_selections_filters_apply(session: Session, answered: Shop) -> None:
    found = figures(session, answered, inquiry_types=("shave",))
    assert found.now.answered == 2
    assert found.now.median_hours == pytest.approx(6.5)  # 3 h and 10 h
    assert found.waiting == 1


def test_another_shops_inquiries_and_events_do_not_count(session: Session, answered: Shop) -> None:
    other = make_shop(session, slug="other-shop")
    theirs = inquiry(session, other, at(2, 9))
    event(session, theirs, at(2, 9.5), EventKind.REPLY)
    assert figures(session, answered).now.answered == 4
    assert figures(session, other).now.answered == 1


def test_a_shop_that_answered_nothing_has_no_times(session: Session, shop: Shop) -> None:
    inquiry(session, shop, at(2, 9))
    found = figures(session, shop)
    assert found.now == found.before
    assert found.now.answered == 0
    assert found.now.median_hours is None
    assert found.waiting == 1
    assert not found.empty
