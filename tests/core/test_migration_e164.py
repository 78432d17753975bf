"""Migration e164a0b1c2d3: shops get a country; stored contacts become E.164 and casefolded."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from barberbot.campaigns import customers
from barberbot.core import migrate
from barberbot.core.db import Database
from barberbot.models import Customer, CustomerContact, CustomerInquiry, Inquiry, Shop
from tests.factories import make_inquiry, make_shop

BEFORE = "f1c2d3e4a5b6"


def _at(day: int) -> datetime:
    return datetime(2026, 11, day, 12, tzinfo=UTC)


def test_old_contacts_are_rewritten_and_customers_sharing_a_number_merged(
    database: Database, session: Session
) -> None:
    london = make_shop(session, slug="london", timezone="Europe/London")
    nowhere = make_shop(session, slug="nowhere", country=None)  # UTC: no country
    old = make_inquiry(
        session, shop=london, customer_name="Ana Old", phone="+447700900123",
        email="ana@example.com", received_at=_at(1),
    )  # fmt: skip
    make_inquiry(
        session, shop=london, customer_name="Ana New", phone="+447700900123", email=None,
        received_at=_at(2),
    )  # fmt: skip
    local = make_inquiry(
        session, shop=nowhere, customer_name="Cy", phone="+447700900555", email=None
    )
    # as the rules before this revision stored them: digits, and only the domain lower-cased
    session.execute(
        update(Inquiry)
        .where(Inquiry.id == old.id)
        .values(phone="07700900123", email="Ana@example.com")
    )
    session.execute(update(Inquiry).where(Inquiry.id == local.id).values(phone="07700900555"))
    for shop in (london, nowhere):
        customers.sync(session, shop)
    session.commit()
    assert _customers(session, london) == 2  # '07700900123' and '447700900123' were strangers
    session.close()

    migrate.downgrade(database.engine, BEFORE)
    with database.engine.connect() as connection:  # the column went, not the shops' rows
        assert connection.scalar(text("SELECT COUNT(*) FROM inquiries")) == 3
    migrate.upgrade(database.engine)

    with database.sessions() as check:
        countries = dict(check.execute(select(Shop.slug, Shop.country)).all())
        assert countries == {"london": "GB", "nowhere": None}  # from the timezone, or none
        stored = {i.customer_name: (i.phone, i.email) for i in check.scalars(select(Inquiry))}
        assert stored == {
            "Ana Old": ("+447700900123", "ana@example.com"),
            "Ana New": ("+447700900123", None),
            "Cy": ("07700900555", None),  # a national number without a country: left alone
        }
        ana = check.scalars(select(Customer).where(Customer.shop_id == london.id)).one()
        assert (ana.inquiry_count, ana.phone, ana.email) == (2, "+447700900123", "ana@example.com")
        assert ana.first_inquiry_at == _at(1)
        contacts = check.execute(
            select(CustomerContact.kind, CustomerContact.value, CustomerContact.customer_id)
            .where(CustomerContact.shop_id == london.id)
            .order_by(CustomerContact.kind)
        )
        assert list(contacts) == [
            ("email", "ana@example.com", ana.id),
            ("phone", "447700900123", ana.id),
        ]
        links = check.scalars(
            select(CustomerInquiry.customer_id).where(CustomerInquiry.shop_id == london.id)
        )
        assert set(links) == {ana.id}


def _customers(session: Session, shop: Shop) -> int:
    query = select(func.count()).select_from(Customer).where(Customer.shop_id == shop.id)
    return session.scalar(query) or 0
