"""Consent per channel: evidence appended as events, the latest word kept on the customer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from barberbot.customers.contacts import phone_key
from barberbot.models import (
    Campaign,
    CampaignRecipient,
    CampaignSettings,
    Channel,
    ConsentEvent,
    ConsentState,
    Customer,
    CustomerContact,
    RecipientStatus,
    Shop,
)
from barberbot.models.base import utcnow

NATIONAL_DIGITS = 9
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})


def double_opt_in(session: Session, shop_id: int) -> bool:
    found = session.get(CampaignSettings, shop_id)
    return bool(found and found.email_double_opt_in)


def fold(states: Iterable[tuple[str, datetime]]) -> tuple[str, datetime | None]:
    """The state after these events in time order: a pending request never undoes a grant."""
    state, at = ConsentState.NONE.value, None
    for new, when in states:
        if new == ConsentState.PENDING and state == ConsentState.GRANTED:
            continue
        state, at = new, when
    return state, at


def states(session: Session, customer_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The consent columns of these customers, folded from their events."""
    ids = list(customer_ids)
    events: dict[tuple[int, str], list[tuple[str, datetime]]] = {}
    query = (
        select(ConsentEvent.customer_id, ConsentEvent.channel, ConsentEvent.state, ConsentEvent.at)
        .where(ConsentEvent.customer_id.in_(ids))
        .order_by(ConsentEvent.at, ConsentEvent.id)
    )
    for customer_id, channel, state, at in session.execute(query):
        events.setdefault((customer_id, channel), []).append((state, at))
    result = {}
    for customer_id in ids:
        email = fold(events.get((customer_id, Channel.EMAIL.value), []))
        sms = fold(events.get((customer_id, Channel.SMS.value), []))
        result[customer_id] = {
            "email_consent": email[0],
            "email_consent_at": email[1],
            "sms_consent": sms[0],
            "sms_consent_at": sms[1],
        }
    return result


def refresh(session: Session, customer_ids: Iterable[int]) -> None:
    """Recompute the consent columns of these customers from their events."""
    found = states(session, customer_ids)
    if found:
        session.execute(update(Customer), [{"id": cid} | cols for cid, cols in found.items()])


def record(
    session: Session,
    customer: Customer,
    channel: Channel,
    state: ConsentState,
    method: str,
    *,
    campaign_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> ConsentEvent:
    """Append evidence and apply it at once (an unsubscribe is effective immediately)."""
    event = ConsentEvent(
        shop_id=customer.shop_id,
        customer_id=customer.id,
        channel=channel.value,
        state=state.value,
        method=method,
        at=utcnow(),
        campaign_id=campaign_id,
        detail=detail or {},
    )
    session.add(event)
    session.flush()
    refresh(session, [customer.id])
    session.refresh(customer)
    return event


def withdraw(
    session: Session,
    customer: Customer,
    channel: Channel,
    method: str,
    *,
    campaign_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Unsubscribe: evidence, the customer's state, and their rows still waiting to be sent."""
    record(
        session,
        customer,
        channel,
        ConsentState.WITHDRAWN,
        method,
        campaign_id=campaign_id,
        detail=detail,
    )
    now = utcnow()
    if campaign_id is not None:  # the campaign whose message they answered
        session.execute(
            update(CampaignRecipient)
            .where(
                CampaignRecipient.campaign_id == campaign_id,
                CampaignRecipient.customer_id == customer.id,
            )
            .values(status=RecipientStatus.UNSUBSCRIBED.value, unsubscribed_at=now)
        )
    session.flush()


def confirm_email(session: Session, customer: Customer) -> bool:
    """The double opt-in link was followed; False if there was nothing to confirm."""
    if customer.email_consent != ConsentState.PENDING:
        return False
    record(session, customer, Channel.EMAIL, ConsentState.GRANTED, "confirmation_link")
    return True


def customers_by_phone(session: Session, phone: str) -> list[Customer]:
    """Every customer, in any shop, known by this phone number (an SMS reply names no shop).

    Providers send +447700900123; a customer may have typed 07700 900123. Without an exact
    match, the last nine digits (the national number) decide: over-matching a STOP only
    silences someone, never messages them.
    """
    key = phone_key(phone)
    phones = CustomerContact.kind == "phone"
    ids = list(
        session.scalars(
            select(CustomerContact.customer_id).where(phones, CustomerContact.value == key)
        )
    )
    if not ids and len(key) >= NATIONAL_DIGITS:
        suffix = CustomerContact.value.endswith(key[-NATIONAL_DIGITS:], autoescape=True)
        ids = list(session.scalars(select(CustomerContact.customer_id).where(phones, suffix)))
    return list(session.scalars(select(Customer).where(Customer.id.in_(ids))))


def sms_stop(session: Session, phone: str, body: str, detail: dict[str, Any]) -> int:
    """An inbound SMS: STOP (and its synonyms) withdraws SMS consent; returns customers hit."""
    if body.strip().upper() not in STOP_WORDS:
        return 0
    found = customers_by_phone(session, phone)
    for customer in found:
        answered = _last_sms_campaign(session, customer)
        withdraw(session, customer, Channel.SMS, "sms_stop", campaign_id=answered, detail=detail)
    return len(found)


def _last_sms_campaign(session: Session, customer: Customer) -> int | None:
    """The campaign whose SMS the STOP most likely answers: the latest sent to them."""
    return session.scalar(
        select(CampaignRecipient.campaign_id)
        .join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
        .where(
            CampaignRecipient.customer_id == customer.id,
            Campaign.channel == Channel.SMS,
            CampaignRecipient.sent_at.is_not(None),
        )
        .order_by(CampaignRecipient.sent_at.desc())
        .limit(1)
    )


def shop_of(session: Session, customer: Customer) -> Shop:
    shop = session.get(Shop, customer.shop_id)
    assert shop is not None
    return shop
