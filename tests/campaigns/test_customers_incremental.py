"""The customers table synced incrementally from a settled mark, and `customer_days` kept exact."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.cli import app
from barberbot.core import migrate
from barberbot.core.db import Database
from barberbot.customers import service as customers
from barberbot.inquiries import service as inquiries
from barberbot.inquiries import settled
from barberbot.models import Customer, CustomerDay, CustomerInquiry, Inquiry, LateDay, Shop
from tests.campaigns.factories import customer_by_name, days_ago, make_person, sync
from tests.factories import make_shop

runner = CliRunner()


def _days(session: Session, shop: Shop) -> dict[int, tuple[int, int]]:
    query = select(CustomerDay.day, CustomerDay.firsts, CustomerDay.lasts).where(
        CustomerDay.shop_id == shop.id
    )
    return {day: (firsts, lasts) for day, firsts, lasts in session.execute(query)}


def _grouped(session: Session, shop: Shop) -> dict[int, tuple[int, int]]:
    """The customers grouped by their first and by their last inquiry's UTC day."""
    query = select(Customer.first_inquiry_at, Customer.last_inquiry_at).where(
        Customer.shop_id == shop.id
    )
    firsts, lasts = Counter[int](), Counter[int]()
    for first, last in session.execute(query):
        firsts[settled.day_of(first)] += 1
        lasts[settled.day_of(last)] += 1
    return {day: (firsts[day], lasts[day]) for day in firsts.keys() | lasts.keys()}


def _assert_exact(session: Session, shop: Shop) -> None:
    session.commit()
    assert _days(session, shop) == _grouped(session, shop)


def _sync_recent(session: Session, shop: Shop) -> int | None:
    linked = customers.sync_recent(session, shop)
    session.commit()
    return linked


def _late_marks(session: Session, shop: Shop) -> list[int]:
    return list(settled.late_days(session, shop.id, customers.READER).values())


def _linked(session: Session, shop: Shop) -> int:
    query = select(CustomerInquiry.inquiry_id).where(CustomerInquiry.shop_id == shop.id)
    return len(session.scalars(query).all())


def test_a_full_sync_leaves_the_settled_mark_and_clears_late_days(
    session: Session, shop: Shop
) -> None:
    make_person(session, shop=shop, name="Ana", email="ana@x.example", at=days_ago(40))
    make_person(session, shop=shop, name="Ana", email="ana@x.example", at=days_ago(3))
    make_person(session, shop=shop, name="Ben", phone="+447700900001", at=days_ago(3))
    assert _late_marks(session, shop) != []  # client times days old: late for every reader
    assert customers.sync_recent(session, shop) is None  # never synced: no mark to go on from

    sync(session, shop)

    assert settled.through(session, shop.id, customers.READER) == settled.settled_before()
    assert _late_marks(session, shop) == []
    assert settled.late_days(session, shop.id, "rollups") != {}  # another reader's stay
    assert _days(session, shop) == {
        settled.day_of(days_ago(40)): (1, 0),
        settled.day_of(days_ago(3)): (1, 2),
    }
    _assert_exact(session, shop)


def test_sync_recent_reads_only_new_and_late_days(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Old", email="old@x.example", at=days_ago(30))
    sync(session, shop)
    # an inquiry put in a settled day behind the marks' back: an incremental sync misses it
    make_person(session, shop=shop, name="Hidden", email="hidden@x.example", at=days_ago(20))
    session.execute(delete(LateDay))
    make_person(session, shop=shop, name="Now", email="now@x.example", at=days_ago(0))
    make_person(session, shop=shop, name="Late", email="late@x.example", at=days_ago(10))

    assert _sync_recent(session, shop) == 2  # today's and the late day's, not the hidden one

    assert {c.name for c in session.scalars(select(Customer))} == {"Old", "Now", "Late"}
    assert _late_marks(session, shop) == []
    _assert_exact(session, shop)
    sync(session, shop)  # the full sync still anti-joins the whole shop
    assert _linked(session, shop) == 4
    _assert_exact(session, shop)


def _cy_with(session: Session, shop: Shop, name: str, phone: str, at: datetime) -> None:
    """An inquiry giving Cy's e-mail and this phone."""
    make_person(session, shop=shop, name=name, email="cy@x.example", phone=phone, at=at)


def test_merges_keep_customer_days_exact(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Cy", email="cy@x.example", at=days_ago(50))
    make_person(session, shop=shop, name="Cy Phone", phone="+447700900002", at=days_ago(20))
    make_person(session, shop=shop, name="Di", phone="+447700900003", at=days_ago(9))
    sync(session, shop)
    _assert_exact(session, shop)

    # late: joins Cy's e-mail and phone, a day between their inquiries
    _cy_with(session, shop, "Cy Both", "+447700900002", days_ago(30))
    assert _sync_recent(session, shop) == 1
    cy = customer_by_name(session, shop, "Cy Phone")  # the latest inquiry's name
    assert (cy.first_inquiry_at, cy.last_inquiry_at) == (days_ago(50), days_ago(20))
    _assert_exact(session, shop)

    # now: joins Cy and Di, and is everyone's last inquiry
    _cy_with(session, shop, "Cy Di", "+447700900003", days_ago(0))
    assert _sync_recent(session, shop) == 1
    assert session.scalars(select(Customer.inquiry_count)).all() == [5]
    assert _days(session, shop) == {settled.day_of(days_ago(50)): (1, 0),
                                    settled.day_of(days_ago(0)): (0, 1)}  # fmt: skip
    _assert_exact(session, shop)


def test_forgotten_inquiries_in_late_and_recent_days(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Eve", email="eve@x.example", at=days_ago(60))
    eve_later = _inquiry(session, shop, "Eve", "eve@x.example", days_ago(5))
    fay = _inquiry(session, shop, "Fay", "fay@x.example", days_ago(6))
    gus = _inquiry(session, shop, "Gus", "gus@x.example", days_ago(0))  # received just now
    sync(session, shop)
    _assert_exact(session, shop)

    for inquiry in (eve_later, fay, gus):
        inquiries.forget(session, shop, inquiry)
    session.commit()
    assert sorted(_late_marks(session, shop)) == sorted(
        [settled.day_of(days_ago(5)), settled.day_of(days_ago(6))]
    )  # not today's: it was received less than an hour ago
    _sync_recent(session, shop)

    eve = customer_by_name(session, shop, "Eve")
    assert (eve.inquiry_count, eve.last_inquiry_at) == (1, days_ago(60))
    assert [c.name for c in session.scalars(select(Customer))] == ["Eve"]
    assert _linked(session, shop) == 1
    _assert_exact(session, shop)


def _inquiry(session: Session, shop: Shop, name: str, email: str, at: datetime) -> uuid.UUID:
    make_person(session, shop=shop, name=name, email=email, at=at)
    query = select(Inquiry.id).where(Inquiry.customer_name == name).order_by(Inquiry.received_at)
    return session.scalars(query).all()[-1]


def test_a_refresh_moving_a_first_day_is_followed(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Hal", email="hal@x.example", at=days_ago(12))
    sync(session, shop)
    make_person(session, shop=shop, name="Hal", email="hal@x.example", at=days_ago(15))  # late

    _sync_recent(session, shop)

    assert _days(session, shop) == {settled.day_of(days_ago(15)): (1, 0),
                                    settled.day_of(days_ago(12)): (0, 1)}  # fmt: skip
    _assert_exact(session, shop)


def test_the_migration_fills_customer_days_from_the_customers(
    database: Database, session: Session, shop: Shop
) -> None:
    other = make_shop(session, slug="other")
    for at, name, email in ((90, "Ida", "ida@x.example"), (30, "Ida", "ida@x.example"),
                            (30, "Jo", "jo@x.example")):  # fmt: skip
        make_person(session, shop=shop, name=name, email=email, at=days_ago(at))
    make_person(session, shop=other, name="Kim", email="kim@x.example", at=days_ago(2))
    for each in (shop, other):
        sync(session, each)
    expected = {each.id: _grouped(session, each) for each in (shop, other)}
    session.close()

    migrate.downgrade(database.engine, "5e7d1a2b3c4d")
    migrate.upgrade(database.engine)

    with database.sessions() as check:
        assert {each.id: _days(check, each) for each in (shop, other)} == expected
        assert expected[shop.id] == {settled.day_of(days_ago(90)): (1, 0),
                                     settled.day_of(days_ago(30)): (1, 2)}  # fmt: skip


@pytest.fixture
def _env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BARBERBOT_DATA_DIR", str(tmp_path))


@pytest.mark.usefixtures("_env")
def test_the_cli_syncs_one_shop_or_every_shop(session: Session, shop: Shop) -> None:
    other = make_shop(session, slug="other")
    make_person(session, shop=shop, name="Lu", email="lu@x.example")
    make_person(session, shop=other, name="Mo", email="mo@x.example")

    one = runner.invoke(app, ["customers", "sync", "--shop", shop.slug])
    assert one.exit_code == 0, one.output
    assert f"{shop.slug}: 1 new inquiries linked" in one.output
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    assert settled.through(session, shop.id, customers.READER) is not None
    assert settled.through(session, other.id, customers.READER) is None

    every = runner.invoke(app, ["customers", "sync"])
    unknown = runner.invoke(app, ["customers", "sync", "--shop", "nope"])

    assert every.exit_code == 0, every.output
    assert f"{shop.slug}: 0 new" in every.output
    assert "other: 1 new" in every.output
    assert unknown.exit_code == 1
    session.rollback()
    assert settled.through(session, other.id, customers.READER) is not None
    _assert_exact(session, other)
