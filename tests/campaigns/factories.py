"""Plain keyword factories for campaigns: each saves (commits) and returns what it made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.campaigns import segments, service
from barberbot.campaigns.schemas import CampaignCreate
from barberbot.customers import service as customers
from barberbot.forms.store import AnswerDocument, SqlAnswerStore
from barberbot.models import Campaign, Customer, Segment, Shop
from tests.factories import make_form, make_inquiry

# name, age, gender, the answers of each of their inquiries (None: answered no form)
People = list[tuple[str, int, str, list[dict[str, Any] | None]]]

NOW = datetime.now(UTC)
BODY = "Hello {{ first_name }}, book now: {{ form_url }}\nUnsubscribe: {{ unsubscribe_url }}"


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def make_person(
    session: Session,
    *,
    shop: Shop,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    consent: bool = True,
    at: datetime | None = None,
    **overrides: Any,
) -> None:
    """An inquiry from one person (no e-mail, phone or location unless given)."""
    overrides.setdefault("location", None)
    make_inquiry(
        session,
        shop=shop,
        customer_name=name,
        email=email,
        phone=phone,
        marketing_consent=consent,
        received_at=at or days_ago(1),
        **overrides,
    )


def sync(session: Session, shop: Shop) -> None:
    customers.sync(session, shop)
    session.commit()


def customer_by_name(session: Session, shop: Shop, name: str) -> Customer:
    return session.scalars(
        select(Customer).where(Customer.shop_id == shop.id, Customer.name == name)
    ).one()


def make_segment(
    session: Session, *, shop: Shop, rule: dict[str, Any], name: str = "Everyone"
) -> Segment:
    segment = segments.create(session, shop, name, rule)
    session.commit()
    return segment


def make_campaign(
    session: Session,
    *,
    shop: Shop,
    segment: Segment,
    channel: str = "email",
    subject: str = "{{ shop_name }} has news for you, {{ first_name }}",
    body: str = BODY,
    promo_code: str | None = None,
    send: bool = False,
    **overrides: Any,
) -> Campaign:
    data = CampaignCreate(
        name=overrides.pop("name", "Winter offer"),
        segment_id=segment.id,
        channel=channel,
        subject=subject,
        body=body,
        promo_code=promo_code,
        **overrides,
    )
    campaign = service.create(session, shop, data)
    if send:
        service.schedule(session, shop, campaign, None)
    session.commit()
    return campaign


def make_answered(session: Session, shop: Shop, people: People) -> Shop:
    """The shop's form (every question type), and each person's inquiries with answers."""
    form = make_form(session, shop=shop)
    documents = []
    for index, (name, age, gender, inquiries) in enumerate(people):
        for number, answers in enumerate(inquiries):
            when = days_ago(10 + index + number)
            inquiry = make_inquiry(
                session, shop=shop, received_at=when, customer_name=name,
                email=f"{name.lower()}@x.example", phone=None, age=age, gender=gender,
            )  # fmt: skip
            if answers is not None:
                documents.append(AnswerDocument(inquiry.id, shop.id, form.version, when, answers))
    SqlAnswerStore().save(session, documents)
    session.commit()
    sync(session, shop)
    return shop
