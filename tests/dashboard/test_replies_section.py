"""The dashboard's replies card: how fast the user's own shops answer, followed live."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.analytics.responses import duration
from barberbot.models import Inquiry, InquiryEvent, Shop, User
from barberbot.models.base import utcnow
from barberbot.models.inbox import EventKind
from tests.factories import PASSWORD, make_inquiry, make_shop, make_user
from tests.support.dashboard import Callbacks, sign_in


def _card(client: TestClient, search: str, seen: str | None = None, tick: int = 0) -> Any:
    """The card's callback as the page calls it: on load, or (`tick`) on a live tick."""
    values: dict[str, Any] = {"live.n_intervals": tick} if tick else {}
    values |= {"url.search": search, "seen-replies.data": seen}
    return Callbacks(client).post("replies.children", values)


def _replied(session: Session, inquiry: Inquiry, at: datetime) -> None:
    session.add(
        InquiryEvent(
            inquiry_id=inquiry.id, shop_id=inquiry.shop_id, at=at, kind=EventKind.REPLY.value
        )
    )
    inquiry.status = "waiting"
    session.commit()


def _asked(session: Session, shop: Shop, hours_ago: float, **fields: Any) -> Inquiry:
    return make_inquiry(
        session, shop=shop, received_at=utcnow() - timedelta(hours=hours_ago), **fields
    )


def test_the_card_shows_the_shops_reply_times_and_follows_new_replies(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    first = _asked(session, shop, 10, inquiry_type="haircut")
    _replied(session, first, first.received_at + timedelta(hours=2))
    _asked(session, shop, 5, inquiry_type="shave")  # not answered yet
    rival = make_shop(session, slug="rival")
    theirs = _asked(session, rival, 10)
    _replied(session, theirs, theirs.received_at + timedelta(minutes=5))
    sign_in(client, owner.email, PASSWORD)

    shown = _card(client, "").json()["response"]
    text = str(shown["replies"]["children"])
    mark = shown["seen-replies"]["data"]
    quiet = _card(client, "", mark, tick=1)
    second = _asked(session, shop, 8, inquiry_type="shave")
    _replied(session, second, second.received_at + timedelta(hours=4))
    news = str(_card(client, "", mark, tick=2).json()["response"]["replies"]["children"])

    assert "Typical time to first reply" in text
    assert "2 h" in text
    assert "5 min" not in text  # the rival's reply
    assert "'children': '1', 'id': 'replies-answered'" in text
    assert "'children': '1', 'id': 'replies-waiting'" in text
    assert "Haircut" in text  # by type, in the shop's own words
    assert quiet.status_code == 204  # nothing new: the card is left as it is
    assert "3 h" in news  # the median of 2 h and 4 h
    assert "'children': '2', 'id': 'replies-answered'" in news


def test_nothing_answered_or_waiting_explains_where_it_comes_from(
    client: TestClient, session: Session, owner: User
) -> None:
    sign_in(client, owner.email, PASSWORD)

    shown = str(_card(client, "").json()["response"]["replies"]["children"])

    assert "Reply from your inbox" in shown


def test_a_shop_of_someone_else_shows_nothing(
    client: TestClient, session: Session, shop: Shop
) -> None:
    inquiry = _asked(session, shop, 3)
    _replied(session, inquiry, inquiry.received_at + timedelta(hours=1))
    make_user(session, email="rival@example.com")
    sign_in(client, "rival@example.com", PASSWORD)

    shown = str(_card(client, "?shop=kings-cuts").json()["response"]["replies"]["children"])

    assert "Reply from your inbox" in shown
    assert "1 h" not in shown


@pytest.mark.parametrize(
    ("hours", "shown"),
    [
        (None, "—"),
        (0.25, "15 min"),
        (1, "1 h"),
        (2.5, "2 h 30 min"),
        (47.5, "47 h 30 min"),
        (84, "3.5 days"),
    ],
)
def test_durations_read_as_an_owner_says_them(hours: float | None, shown: str) -> None:
    assert duration(hours) == shown
