"""Segment insights and the comparison of an owner's shops and locations, counted by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from barberbot.analytics.filters import Period, Selection
from barberbot.analytics.summary import summarise
from barberbot.auth import service as auth
from barberbot.dashboard.state import ViewState
from barberbot.dashboard.views import resolve, summary_of
from barberbot.models import Role, Shop, User
from tests.factories import make_inquiry, make_shop

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
LAST_30_DAYS = Period(NOW - timedelta(days=30), NOW)


def _add(session: Session, shop: Shop, count: int, days_ago: int, **fields: Any) -> None:
    for n in range(count):
        when = NOW - timedelta(days=days_ago, hours=n)
        make_inquiry(session, shop=shop, received_at=when, **fields)


def test_a_growing_segment_becomes_a_sentence(session: Session, shop: Shop) -> None:
    young_men = {"gender": "male", "age": 29, "inquiry_type": "beard_trim"}
    older_women = {"gender": "female", "age": 50, "inquiry_type": "haircut"}
    _add(session, shop, 14, 3, **young_men)  # 14 in the last 30 days
    _add(session, shop, 10, 40, **young_men)  # 10 in the 30 days before: up 40%
    _add(session, shop, 5, 5, **older_women)
    _add(session, shop, 10, 45, **older_women)  # down 50%
    _add(session, shop, 4, 6, gender="female", age=20, inquiry_type="shave")  # too few
    _add(session, shop, 1, 50, gender="female", age=20, inquiry_type="shave")

    summary = summarise(session, Selection(shop_ids=(shop.id,), period=LAST_30_DAYS), LONDON,
                        shop.type_labels())  # fmt: skip

    segments = [insight for insight in summary.insights if "inquiry_type" in insight.segment
                and "gender" in insight.segment]  # fmt: skip
    assert [insight.text for insight in segments] == [
        # the larger move first: 5 fewer, then 4 more
        "Haircut inquiries from women 45-54 are down 50% on the previous 30 days.",
        "Beard trim inquiries from men 25-34 are up 40% on the previous 30 days.",
    ]
    assert segments[1].segment == {"inquiry_type": "beard_trim", "gender": "male",
                                   "age_band": "25-34"}  # fmt: skip
    assert summary.insights[0].text == (
        "Inquiries are up 10% on the previous 30 days (23 against 21)."
    )


@pytest.fixture
def chain(session: Session, shop: Shop, owner: User) -> tuple[Shop, Shop]:
    """The owner's two shops (King's Cuts at two locations, Queen's without any), and a shop
    of someone else's."""
    queens = make_shop(session, slug="queens", name="Queen's")
    strangers = make_shop(session, slug="strangers", name="Strangers")
    auth.grant(session, owner, queens, Role.OWNER)
    session.commit()
    _add(session, shop, 4, 1, location="high-street", marketing_consent=True)
    _add(session, shop, 2, 9, location="high-street")  # the week before
    _add(session, shop, 2, 2, location="station", marketing_consent=False)
    _add(session, shop, 2, 10, location="station")
    _add(session, queens, 1, 3, location="", marketing_consent=True)
    _add(session, strangers, 9, 1, location="high-street")  # not the owner's: not counted
    return shop, queens


def test_an_owners_shops_and_locations_side_by_side(
    session: Session, chain: tuple[Shop, Shop], owner: User
) -> None:
    state = ViewState(shop="all", period="custom", start="2026-11-13", end="2026-11-19")
    view = resolve(session, owner.id, state, now=NOW)

    summary = summary_of(session, view)

    places = summary.by_location
    assert places[["shop", "location", "inquiries", "previous"]].values.tolist() == [
        ["King's Cuts", "high-street", 4, 2],
        ["King's Cuts", "station", 2, 2],
        ["Queen's", "", 1, 0],
    ]
    assert places["share"].round(3).tolist() == [0.571, 0.286, 0.143]  # of 7
    assert places["consenting"].tolist() == [4, 0, 1]
    assert places["change"].tolist()[:2] == [1.0, 0.0]
    assert places["change"].isna().tolist() == [False, False, True]  # nothing to compare with
    assert summary.totals["inquiries"] == 7
    texts = [insight.text for insight in summary.insights]
    assert (
        "King's Cuts (high-street) had the most inquiries: 4 of 7 (57%), up 100% on the "
        "previous 7 days." in texts
    )
    assert date(2026, 11, 19) == summary.per_day["day"].iloc[-1]


def test_one_shop_at_one_location_makes_no_comparison(session: Session, shop: Shop) -> None:
    _add(session, shop, 3, 1, location="high-street")

    summary = summarise(session, Selection(shop_ids=(shop.id,), period=LAST_30_DAYS), LONDON,
                        shop.type_labels())  # fmt: skip

    assert summary.by_location["inquiries"].tolist() == [3]
    assert not [insight for insight in summary.insights if "most inquiries" in insight.text]
