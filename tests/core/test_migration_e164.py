"""Migration e164a0b1c2d3: shops get a country; stored contacts become E.164 and casefolded."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from barberbot.core import migrate
from barberbot.core.db import Database
from barberbot.customers import service as customers
from barberbot.models import (
    ConsentEvent,
    Customer,
    CustomerContact,
    CustomerInquiry,
    Inquiry,
    Shop,
)
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
    bo = make_inquiry(
        session, shop=london, customer_name="Bo", phone="+447700900999", email=None,
        marketing_consent=False,
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
    for inquiry, phone in ((bo, "07700900999"), (local, "07700900555")):
        session.execute(update(Inquiry).where(Inquiry.id == inquiry.id).values(phone=phone))
    for shop in (london, nowhere):
        customers.sync(session, shop)
    session.commit()
    assert _customers(session, london) == 3  # '07700900123' and '447700900123' were strangers
    # and one more of Bo's, not linked to a customer before the upgrade
    later = make_inquiry(
        session, shop=london, customer_name="Bo Later", phone="+447700900999", email=None,
        marketing_consent=False,
    )  # fmt: skip
    session.execute(update(Inquiry).where(Inquiry.id == later.id).values(phone="07700900999"))
    session.commit()
    session.close()

    migrate.downgrade(database.engine, BEFORE)
    with database.engine.connect() as connection:  # the column went, not the shops' rows
        assert connection.scalar(text("SELECT COUNT(*) FROM inquiries")) == 5
    migrate.upgrade(database.engine)

    with database.sessions() as check:
        countries = dict(check.execute(select(Shop.slug, Shop.country)).all())
        assert countries == {"london": "GB", "nowhere": None}  # from the timezone, or none
        stored = {i.customer_name: (i.phone, i.email) for i in check.scalars(select(Inquiry))}
        assert stored == {
            "Ana Old": ("+447700900123", "ana@example.com"),
            "Ana New": ("+447700900123", None),
            "Bo": ("+447700900999", None),
            "Bo Later": ("+447700900999", None),
            "Cy": ("07700900555", None),  # a national number without a country: left alone
        }
        ana, bo_ = check.scalars(
            select(Customer).where(Customer.shop_id == london.id).order_by(Customer.id)
        )
        assert (ana.inquiry_count, ana.phone, ana.email) == (2, "+447700900123", "ana@example.com")
        assert (ana.first_inquiry_at, ana.sms_consent) == (_at(1), "granted")
        evidence = select(func.count()).where(ConsentEvent.customer_id == ana.id)
        assert check.scalar(evidence) == 3  # e-mail and SMS of the first, SMS of the second
        assert (bo_.inquiry_count, bo_.phone) == (1, "+447700900999")
        contacts = check.execute(
            select(CustomerContact.kind, CustomerContact.value, CustomerContact.customer_id)
            .where(CustomerContact.shop_id == london.id)
            .order_by(CustomerContact.kind)
        )
        assert sorted(contacts) == [
            ("email", "ana@example.com", ana.id),
            ("phone", "447700900123", ana.id),
            ("phone", "447700900999", bo_.id),
        ]
        links = check.scalars(
            select(CustomerInquiry.customer_id).where(CustomerInquiry.shop_id == london.id)
        )
        assert sorted(links) == [ana.id, ana.id, bo_.id]
        customers.sync(check, check.get_one(Shop, london.id))  # the later one joins Bo
        check.commit()
        assert check.get_one(Customer, bo_.id).inquiry_count == 2
        assert _customers(check, london) == 2


def _customers(session: Session, shop: Shop) -> int:
    query = select(func.count()).select_from(Customer).where(Customer.shop_id == shop.id)
    return session.scalar(query) or 0
