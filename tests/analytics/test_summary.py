"""The figures for a small, hand-counted set of inquiries, on SQLite and MariaDB."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from barberbot.analytics.filters import Selection, period_for
from barberbot.analytics.summary import Summary, summarise
from barberbot.models import Shop
from tests.factories import make_inquiry

LONDON = ZoneInfo("Europe/London")
WEEK = period_for(None, zone=LONDON, now=datetime.now(UTC), start=date(2026, 11, 1),
                  end=date(2026, 11, 7))  # fmt: skip


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)  # London is on UTC in November


@pytest.fixture
def week(session: Session, shop: Shop) -> Shop:
    def add(when: datetime, **fields: Any) -> None:
        make_inquiry(session, shop=shop, received_at=when, **fields)

    ana = {"customer_name": "Ana", "gender": "female", "age": 31, "email": "ana@x.io", "phone": ""}
    bo = {"customer_name": "Bo", "gender": "male", "age": 45, "email": "", "phone": "+447700900222"}
    add(at(2, 9, 30), inquiry_type="haircut", marketing_consent=True, **ana)
    add(at(3, 10, 15), inquiry_type="haircut", marketing_consent=False, **ana)
    add(at(7, 10, 5), inquiry_type="beard_trim", marketing_consent=True, **bo)
    add(at(7, 10, 40), customer_name="Cai", gender="male", age=8, inquiry_type="kids_cut",
        email="", phone="0123456789", marketing_consent=False)  # fmt: skip
    add(at(28, 12, month=10), inquiry_type="beard_trim", **bo)  # the week before
    add(at(30, 12, month=10), customer_name="Dee", gender="female", age=70,
        inquiry_type="shave", email="dee@x.io")  # fmt: skip
    add(at(20, 12), inquiry_type="shave", **ana)  # after the week: not counted
    return shop


def _summary(session: Session, shop: Shop, **filters: Any) -> Summary:
    selection = Selection(shop_ids=(shop.id,), period=WEEK, **filters)
    return summarise(session, selection, LONDON, shop.type_labels())


def test_totals_customers_and_change(session: Session, week: Shop) -> None:
    summary = _summary(session, week)

    assert summary.totals == {"inquiries": 4, "customers": 3, "consenting": 2}
    assert summary.previous["inquiries"] == 2
    assert summary.change == pytest.approx(1.0)
    assert summary.consent_rate == pytest.approx(0.5)
    assert summary.customers == {"new": 2, "returning": 1}  # Bo inquired the week before


def test_breakdowns(session: Session, week: Shop) -> None:
    summary = _summary(session, week)

    bands = dict(zip(summary.by_band["age_band"], summary.by_band["inquiries"], strict=True))
    assert bands == {"under 18": 1, "18-24": 0, "25-34": 2, "35-44": 0, "45-54": 1,
                     "55-64": 0, "65+": 0}  # fmt: skip
    genders = dict(zip(summary.by_gender["gender"], summary.by_gender["inquiries"], strict=True))
    assert genders == {
        "female": 2, "male": 2, "non_binary": 0, "other": 0, "prefer_not_to_say": 0
    }  # fmt: skip
    assert summary.by_type["label"].tolist()[:3] == ["Haircut", "Beard trim", "Kids' cut"]
    assert summary.by_type["inquiries"].tolist()[:3] == [2, 1, 1]
    assert summary.band_by_type.loc["25-34", "Haircut"] == 2
    assert summary.band_by_type.loc["under 18", "Kids' cut"] == 1
    assert summary.gender_by_type.loc["Male", "Beard trim"] == 1
    assert summary.by_age["age"].tolist() == [8, 31, 45]


def test_days_and_hours_in_the_shops_time_zone(session: Session, week: Shop) -> None:
    summary = _summary(session, week)

    assert summary.per_day["day"].tolist() == [date(2026, 11, d) for d in range(1, 8)]
    assert summary.per_day["inquiries"].tolist() == [0, 1, 1, 0, 0, 0, 2]
    assert summary.busiest() == ("Saturday", 10)
    assert int(summary.weekday_hour.to_numpy().sum()) == 4


def test_filters_narrow_every_figure(session: Session, week: Shop) -> None:
    men = _summary(session, week, genders=("male",))
    young = _summary(session, week, age_bands=("under 18", "18-24"))

    assert men.totals == {"inquiries": 2, "customers": 2, "consenting": 1}
    assert men.previous["inquiries"] == 1
    assert young.totals["inquiries"] == 1
    assert young.by_type["inquiries"].tolist()[0] == 1


def test_insights_say_what_changed(session: Session, week: Shop) -> None:
    texts = [insight.text for insight in _summary(session, week).insights]

    assert texts[0] == "Inquiries are up 100% on the previous 7 days (4 against 2)."
    assert "Haircut is what customers ask about most (50% of inquiries)." in texts
    assert "Busiest time: Saturdays 10:00-11:00." in texts
    assert "50% of inquiries agreed to marketing (2 inquiries you may contact)." in texts


def test_no_inquiries_is_an_empty_summary(session: Session, shop: Shop) -> None:
    summary = _summary(session, shop)

    assert summary.empty
    assert summary.change is None
    assert summary.insights == []
    assert summary.per_day["inquiries"].sum() == 0
