"""One customer whatever way the number was written, now that capture stores E.164."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import Customer, CustomerContact, Shop
from tests.campaigns.factories import days_ago, make_person, sync


def test_a_national_and_an_international_number_are_one_customer(
    session: Session, shop: Shop
) -> None:
    make_person(session, shop=shop, name="Ana", phone="07700 900123", at=days_ago(3))
    make_person(session, shop=shop, name="Ana L", phone="+44 7700 900123", at=days_ago(2))
    make_person(session, shop=shop, name="Ana Lima", phone="0044 (0)7700-900123", at=days_ago(1))
    make_person(session, shop=shop, name="Ben", phone="07700 900124", at=days_ago(1))

    sync(session, shop)

    people = {c.name: (c.inquiry_count, c.phone) for c in session.scalars(select(Customer))}
    assert people == {"Ana Lima": (3, "+447700900123"), "Ben": (1, "+447700900124")}
    contacts = session.scalars(select(CustomerContact.value).order_by(CustomerContact.value))
    assert list(contacts) == ["447700900123", "447700900124"]
