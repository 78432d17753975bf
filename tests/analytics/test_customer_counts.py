"""The dashboard's customer counts: from the customers table for a shop's unfiltered view up to
now, from the inquiries (`queries.customers`) for any other view, or while the table is behind
the inquiries; the table is kept by the writers' side (`settling`), never by a read."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.analytics import customer_counts, queries, settling
from barberbot.analytics.filters import Period, Selection, period_for
from barberbot.core.db import Database
from barberbot.customers import service as customers
from barberbot.dashboard.callbacks import _customers
from barberbot.dashboard.state import ViewState
from barberbot.inquiries import service as inquiries
from barberbot.inquiries import settled
from barberbot.models import Customer, Inquiry, Shop, User
from tests.factories import make_inquiry, make_shop

NOW = datetime.now(UTC)
UTC_ZONE = ZoneInfo("UTC")


def _ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def _add(session: Session, shop: Shop, days: float, email: str | None = None,
         phone: str | None = None, gender: str = "male") -> Inquiry:  # fmt: skip
    return make_inquiry(
        session, shop=shop, email=email, phone=phone, received_at=_ago(days), gender=gender
    )


def _preset(shop: Shop, preset: str) -> Selection:
    period = period_for(preset, zone=UTC_ZONE, now=datetime.now(UTC))
    return Selection(shop_ids=(shop.id,), period=period)


def _count(session: Session, selection: Selection, shops: list[Shop]) -> dict[str, int]:
    found = customer_counts.count(session, selection, shops)
    session.rollback()  # a fresh snapshot next time (MariaDB reads repeatably)
    return found


def _settle(database: Database, session: Session) -> None:
    """What the worker, `serve` or the CronJob do every minute."""
    assert settling.settle_all(database).failed == 0
    session.rollback()


def _counted(customers_: int, new: int) -> dict[str, int]:
    return {"customers": customers_, "new": new, "returning": customers_ - new}


def _synced(session: Session, shop: Shop) -> bool:
    return settled.through(session, shop.id, customers.READER) is not None


@pytest.fixture
def year(session: Session, shop: Shop) -> Shop:
    """Ana 400 and 10 days ago; Ben 200 and 20; Cy 5; Di 100; Eve 500; Flo 40."""
    for days, email in ((400, "ana@x.io"), (10, "ana@x.io"), (200, "ben@x.io"), (20, "ben@x.io"),
                        (5, "cy@x.io"), (100, "di@x.io"), (500, "eve@x.io"),
                        (40, "flo@x.io")):  # fmt: skip
        _add(session, shop, days, email=email)
    return shop


def test_30_and_365_days_from_the_customers_table(
    database: Database, session: Session, year: Shop
) -> None:
    _settle(database, session)  # a small shop never synced is synced whole
    last_30 = _count(session, _preset(year, "30d"), [year])
    last_365 = _count(session, _preset(year, "365d"), [year])

    assert last_30 == _counted(3, 1)  # Ana, Ben, Cy; Cy is new
    assert last_365 == _counted(5, 4)  # Ana returns; Ben, Cy, Di, Flo are new
    assert _synced(session, year)
    assert queries.customers(session, _preset(year, "30d")) == last_30  # both agree here
    assert queries.customers(session, _preset(year, "365d")) == last_365


def test_new_or_returning_within_the_first_day(
    database: Database, session: Session, shop: Shop
) -> None:
    start = datetime.combine(_ago(30).date(), datetime.min.time(), UTC) + timedelta(hours=12)
    period = Period(start, NOW + timedelta(minutes=1))
    hours = timedelta(hours=1).total_seconds() / 86400
    age = (NOW - start).total_seconds() / 86400
    _add(session, shop, age + hours, email="gil@x.io")  # the first day, before the period
    _add(session, shop, 3, email="gil@x.io")
    _add(session, shop, age - hours, email="hu@x.io")  # the first day, in the period
    _add(session, shop, age + 2 * hours, email="ivy@x.io")  # the first day, before: not in it
    _add(session, shop, age + 2, email="jan@x.io")  # days before, and in the first day
    _add(session, shop, age - hours, email="jan@x.io")
    _settle(database, session)

    found = _count(session, Selection(shop_ids=(shop.id,), period=period), [shop])

    assert found == _counted(3, 1)  # Gil, Hu, Jan; Hu is new


def test_late_and_forgotten_inquiries_change_the_counts(
    database: Database, session: Session, year: Shop
) -> None:
    _settle(database, session)
    assert _count(session, _preset(year, "30d"), [year]) == _counted(3, 1)
    # received days ago, stored now: a day the table had settled
    _add(session, year, 12, email="kai@x.io")
    _add(session, year, 25, email="flo@x.io")  # Flo (40 days ago) comes back

    assert _count(session, _preset(year, "30d"), [year]) == _counted(5, 2)  # not settled yet
    _settle(database, session)
    assert _count(session, _preset(year, "30d"), [year]) == _counted(5, 2)

    cy = session.scalars(select(Inquiry.id).where(Inquiry.email == "cy@x.io")).one()
    inquiries.forget(session, year, cy)
    session.commit()

    assert _count(session, _preset(year, "30d"), [year]) == _counted(4, 1)
    _settle(database, session)
    assert _count(session, _preset(year, "30d"), [year]) == _counted(4, 1)
    assert _count(session, _preset(year, "365d"), [year]) == _counted(5, 4)  # Kai in, Cy out


def _joined(session: Session, shop: Shop) -> None:
    """An e-mail and a phone given together 60 days ago, then each alone in the last month."""
    _add(session, shop, 60, email="lea@x.io", phone="+447700900001")
    _add(session, shop, 10, email="lea@x.io")
    _add(session, shop, 5, phone="+447700900001")


def test_customers_are_connected_over_all_time(
    database: Database, session: Session, shop: Shop
) -> None:
    _joined(session, shop)
    _settle(database, session)
    selection = _preset(shop, "30d")

    # one person by the table; the period's inquiries alone share no contact: two by the query
    assert _count(session, selection, [shop]) == _counted(1, 0)
    assert queries.customers(session, selection) == _counted(2, 0)


def test_several_shops_are_counted_from_the_inquiries(session: Session, shop: Shop) -> None:
    other = make_shop(session, slug="other")
    _joined(session, shop)
    both = Selection(shop_ids=(shop.id, other.id), period=_preset(shop, "30d").period)

    assert _count(session, both, [shop, other]) == _counted(2, 0)  # the table is per shop


def test_filtered_and_past_views_count_the_same_people_through_the_links(
    database: Database, session: Session, shop: Shop
) -> None:
    _joined(session, shop)
    _add(session, shop, 3, email="zoe@x.io", gender="female")
    _add(session, shop, 100, email="zoe@x.io", gender="male")
    _settle(database, session)
    period = _preset(shop, "30d").period
    men = Selection(shop_ids=(shop.id,), period=period, genders=("male",))
    women = Selection(shop_ids=(shop.id,), period=period, genders=("female",))
    ended = Period(_ago(30), _ago(7))  # Lea's phone alone (5 days ago) is after its end

    assert _count(session, men, [shop]) == _counted(1, 0)  # Lea, one person as unfiltered
    assert _count(session, women, [shop]) == _counted(1, 0)  # Zoe came 100 days ago too
    assert _count(session, Selection(shop_ids=(shop.id,), period=ended), [shop]) == _counted(1, 0)
    assert _count(session, _preset(shop, "30d"), [shop]) == _counted(2, 0)
    year = Selection(shop_ids=(shop.id,), period=_preset(shop, "365d").period)
    assert _count(session, replace(year, genders=("female",)), [shop]) == _counted(1, 1)
    assert _count(session, replace(year, inquiry_types=("beard_trim",)), [shop]) == _counted(2, 2)


def test_a_large_shop_or_import_not_synced_counts_the_inquiries_until_synced(
    database: Database, session: Session, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    _joined(session, shop)
    monkeypatch.setattr(settling, "SMALL_SHOP", 2)  # three inquiries are "large"
    _settle(database, session)

    assert _count(session, _preset(shop, "30d"), [shop]) == _counted(2, 0)
    assert session.scalar(select(func.count()).select_from(Customer)) == 0
    assert not _synced(session, shop)

    customers.sync(session, shop)  # as the sender, or `barberbot customers sync`, does
    session.commit()

    assert _count(session, _preset(shop, "30d"), [shop]) == _counted(1, 0)
    for days, email in ((10, "mo@x.io"), (11, "ned@x.io"), (12, "oz@x.io")):
        _add(session, shop, days, email=email)  # an import: more waiting than a round links
    _settle(database, session)

    assert _count(session, _preset(shop, "30d"), [shop]) == _counted(5, 3)  # Lea counted twice
    customers.sync(session, shop)
    session.commit()
    assert _count(session, _preset(shop, "30d"), [shop]) == _counted(4, 3)


def test_a_table_behind_is_counted_around_until_the_writers_side_settles(
    database: Database, session: Session, shop: Shop, owner: User
) -> None:
    _joined(session, shop)
    view = ViewState()

    # never synced: the period's inquiries alone share no contact, two people
    assert _customers(database, owner.id, view)[:2] == ("2", "0 / 2")
    assert not _synced(session, shop)
    _settle(database, session)
    assert _customers(database, owner.id, view)[:2] == ("1", "0 / 1")  # one over all time

    _add(session, shop, 0.01, email="max@x.io")  # not linked yet
    assert not customers.is_current(session, shop)
    assert _customers(database, owner.id, view)[:2] == ("3", "1 / 2")
    _settle(database, session)
    assert customers.is_current(session, shop)
    assert _customers(database, owner.id, view)[:2] == ("2", "1 / 1")

    recent = session.scalars(select(Inquiry.id).where(Inquiry.email == "max@x.io")).one()
    inquiries.forget(session, shop, recent)  # too recent to mark its day late: a stray link
    session.commit()
    assert not customers.is_current(session, shop)
    assert _customers(database, owner.id, view)[:2] == ("2", "0 / 2")
    _settle(database, session)
    assert _customers(database, owner.id, view)[:2] == ("1", "0 / 1")
