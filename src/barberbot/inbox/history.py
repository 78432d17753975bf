"""A customer's history at a shop, seen from one of their inquiries: their other inquiries
(the same e-mail or phone) and the campaigns sent to them. Reads only."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from barberbot.customers.contacts import EMAIL, PHONE, email_key, phone_key
from barberbot.models import Campaign, CampaignRecipient, CustomerContact, Inquiry

MOST = 20


def other_inquiries(session: Session, inquiry: Inquiry, most: int = MOST) -> Sequence[Inquiry]:
    """The shop's other inquiries from the same e-mail or phone, newest first (contacts are
    stored in one spelling, so equal is the same; both are indexed with the shop)."""
    same = [
        column == value
        for column, value in ((Inquiry.email, inquiry.email), (Inquiry.phone, inquiry.phone))
        if value
    ]
    if not same:
        return []
    query = (
        select(Inquiry)
        .where(Inquiry.shop_id == inquiry.shop_id, or_(*same), Inquiry.id != inquiry.id)
        .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
        .limit(most)
    )
    return session.scalars(query).all()


def campaigns_sent(
    session: Session, inquiry: Inquiry, most: int = MOST
) -> Sequence[tuple[Campaign, CampaignRecipient]]:
    """The campaigns the customer behind this inquiry's e-mail or phone was a recipient of,
    latest first (the customers the campaigns know them as, found by their contacts)."""
    keys: list[ColumnElement[bool]] = []
    if inquiry.email:
        keys.append(
            and_(CustomerContact.kind == EMAIL, CustomerContact.value == email_key(inquiry.email))
        )
    if inquiry.phone:
        keys.append(
            and_(CustomerContact.kind == PHONE, CustomerContact.value == phone_key(inquiry.phone))
        )
    if not keys:
        return []
    customers = select(CustomerContact.customer_id).where(
        CustomerContact.shop_id == inquiry.shop_id, or_(*keys)
    )
    query = (
        select(Campaign, CampaignRecipient)
        .join(CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
        .where(
            Campaign.shop_id == inquiry.shop_id,
            CampaignRecipient.customer_id.in_(customers),
        )
        .order_by(Campaign.id.desc())
        .limit(most)
    )
    return [(campaign, recipient) for campaign, recipient in session.execute(query)]
