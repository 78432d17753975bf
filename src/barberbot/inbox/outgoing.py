"""What every message of the inbox carries: the shop as the From's name and the Reply-To,
the inquiry's thread, and the customer's SMS STOP."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.customers import consent
from barberbot.models import (
    CampaignSettings,
    Channel,
    ConsentEvent,
    ConsentState,
    Inquiry,
    Membership,
    Role,
    Shop,
    User,
)

STOPPED = "This customer texted STOP; they get no more texts from the shop."


def reply_to(session: Session, shop: Shop) -> str | None:
    """Where the customer's answer goes: the shop's reply address if it set one (campaign
    settings), else its first owner's e-mail."""
    chosen = session.scalar(
        select(CampaignSettings.reply_to).where(CampaignSettings.shop_id == shop.id)
    )
    if chosen:
        return chosen
    return session.scalar(
        select(User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.shop_id == shop.id, Membership.role == Role.OWNER)
        .order_by(User.id)
        .limit(1)
    )


def thread_root(inquiry: Inquiry, domain: str) -> str:
    """The Message-ID every e-mail about this inquiry answers (the acknowledgement's own), so
    the customer's mail app shows them as one conversation."""
    return f"<inquiry.{inquiry.id}@{domain}>"


def threading_headers(inquiry: Inquiry, domain: str) -> dict[str, str]:
    root = thread_root(inquiry, domain)
    return {"In-Reply-To": root, "References": root}


def texted_stop(session: Session, shop: Shop, phone: str) -> bool:
    """Whether a customer of this shop with this phone texted STOP and has not opted in since
    (their SMS consent still withdrawn)."""
    ids = [
        customer.id
        for customer in consent.customers_by_phone(session, phone)
        if customer.shop_id == shop.id and customer.sms_consent == ConsentState.WITHDRAWN
    ]
    if not ids:
        return False
    found = session.scalar(
        select(ConsentEvent.id)
        .where(
            ConsentEvent.customer_id.in_(ids),
            ConsentEvent.channel == Channel.SMS,
            ConsentEvent.method == "sms_stop",
        )
        .limit(1)
    )
    return found is not None
