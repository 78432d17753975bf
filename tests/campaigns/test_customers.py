"""Customers derived from inquiries: same e-mail or phone, transitively; consent per channel."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.campaigns import service
from barberbot.customers import service as customers
from barberbot.inquiries import service as inquiries
from barberbot.models import ConsentEvent, Customer, Shop
from tests.campaigns.factories import customer_by_name, days_ago, make_person, sync


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Customer)) or 0


def test_same_email_or_phone_is_one_customer_with_the_latest_details(
    session: Session, shop: Shop
) -> None:
    make_person(session, shop=shop, name="Ana Old", email="ANA@x.example", age=30, at=days_ago(9))
    make_person(
        session, shop=shop, name="Ana Silva", email="ana@x.example", phone="+44 7700 900001",
        age=31, location="station-road", at=days_ago(2),
    )  # fmt: skip
    make_person(session, shop=shop, name="Ana S", phone="447700900001", at=days_ago(1), age=31)
    make_person(session, shop=shop, name="Ben", email="ben@x.example")

    sync(session, shop)

    assert _count(session) == 2
    ana = customer_by_name(session, shop, "Ana S")
    assert ana.inquiry_count == 3
    assert ana.first_name == "Ana"
    assert ana.email == "ana@x.example"  # the latest one given, kept when a later one has none
    assert ana.location == "station-road"
    assert ana.first_inquiry_at < ana.last_inquiry_at


def test_an_inquiry_linking_two_customers_merges_them(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Cy", email="cy@x.example", at=days_ago(5))
    make_person(session, shop=shop, name="Cy Phone", phone="+447700900002", at=days_ago(4))
    sync(session, shop)
    assert _count(session) == 2
    cy = customer_by_name(session, shop, "Cy")

    make_person(
        session, shop=shop, name="Cy Both", email="cy@x.example", phone="+447700900002",
        at=days_ago(1),
    )  # fmt: skip
    sync(session, shop)

    assert _count(session) == 1
    merged = session.scalars(select(Customer)).one()
    assert merged.id == cy.id  # the older customer survives
    assert merged.inquiry_count == 3
    events = session.scalar(select(func.count()).where(ConsentEvent.customer_id == merged.id))
    assert events == 4  # e-mail and SMS consent of the second and third, e-mail of the first


def test_transitive_chain_in_one_batch(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="A", email="a@x.example")
    make_person(session, shop=shop, name="B", phone="+447700900003")
    make_person(session, shop=shop, name="C", email="c@x.example", phone="+447700900003")
    make_person(session, shop=shop, name="D", email="c@x.example", phone="+447700900004")
    make_person(session, shop=shop, name="E", email="a@x.example", phone="+447700900004")

    sync(session, shop)

    assert _count(session) == 1


def test_consent_per_channel_from_the_inquiries(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Both", email="both@x.example", phone="+447700900005")
    make_person(session, shop=shop, name="Mail", email="mail@x.example")
    make_person(session, shop=shop, name="None", email="none@x.example", consent=False)

    sync(session, shop)

    both = customer_by_name(session, shop, "Both")
    assert (both.email_consent, both.sms_consent) == ("granted", "granted")
    assert customer_by_name(session, shop, "Mail").sms_consent == "none"
    assert customer_by_name(session, shop, "None").email_consent == "none"


def test_double_opt_in_makes_email_consent_pending(session: Session, shop: Shop) -> None:
    service.settings_of(session, shop).email_double_opt_in = True
    session.commit()
    make_person(session, shop=shop, name="Pat", email="pat@x.example", phone="+447700900006")

    sync(session, shop)

    pat = customer_by_name(session, shop, "Pat")
    assert (pat.email_consent, pat.sms_consent) == ("pending", "granted")


def test_a_forgotten_inquiry_leaves_no_customer(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Gone", email="gone@x.example")
    sync(session, shop)
    inquiry_id = session.scalars(select(ConsentEvent.inquiry_id)).first()
    assert inquiry_id is not None

    inquiries.forget(session, shop, inquiry_id)
    session.commit()
    sync(session, shop)

    assert _count(session) == 0


def test_sync_only_reads_new_inquiries(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Once", email="once@x.example")
    assert customers.sync(session, shop) == 1
    assert customers.sync(session, shop) == 0
    assert customers.sync(session, shop, quick=True) == 0
