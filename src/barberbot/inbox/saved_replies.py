"""A shop's saved replies: written once, their body a template filled in for each inquiry.

The templates are the campaigns' (`campaigns.templates`: a sandbox, fields, if/else and a few
filters, checked before they are kept), with the fields of a reply to one inquiry.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.campaigns import templates
from barberbot.customers.contacts import first_name
from barberbot.inquiries.rules import InquiryInvalid
from barberbot.models import Inquiry, SavedReply, Shop
from barberbot.models.base import utcnow

# The fields a saved reply can use, each with what it becomes (the page's help line)
FIELD_HELP = {
    "first_name": "the customer's first name",
    "name": "their full name",
    "shop_name": "your shop's name",
    "inquiry_type": "what they asked about",
}
FIELDS = tuple(FIELD_HELP)
NAME_MAX = 120
BODY_MAX = templates.BODY_MAX


def get(session: Session, shop: Shop, reply_id: int) -> SavedReply | None:
    found = session.get(SavedReply, reply_id)
    return found if found is not None and found.shop_id == shop.id else None


def of(session: Session, shop: Shop) -> Sequence[SavedReply]:
    """The shop's saved replies, by name."""
    return session.scalars(
        select(SavedReply).where(SavedReply.shop_id == shop.id).order_by(SavedReply.name)
    ).all()


def create(session: Session, shop: Shop, name: str, body: str) -> SavedReply:
    name = _checked(session, shop.id, name, body)
    reply = SavedReply(shop_id=shop.id, name=name, body=body)
    session.add(reply)
    session.flush()
    return reply


def update(session: Session, reply: SavedReply, name: str, body: str) -> SavedReply:
    reply.name = _checked(session, reply.shop_id, name, body, reply.id)
    reply.body = body
    reply.updated_at = utcnow()
    session.flush()
    return reply


def delete(session: Session, reply: SavedReply) -> None:
    session.delete(reply)
    session.flush()


def _checked(
    session: Session, shop_id: int, name: str, body: str, reply_id: int | None = None
) -> str:
    """The name to keep, stripped; a message per field for what is wrong."""
    errors: dict[str, str] = {}
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        errors["name"] = f"Give the saved reply a name of 1 to {NAME_MAX} characters."
    elif _name_taken(session, shop_id, name, reply_id):
        errors["name"] = f"There is already a saved reply called {name!r}."
    if not body.strip():
        errors["body"] = "Write the text of the reply."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Keep the reply under {BODY_MAX:,} characters."
    else:
        try:
            templates.check("body", body, FIELDS)
        except templates.TemplateInvalid as invalid:
            errors |= invalid.errors
    if errors:
        raise InquiryInvalid(errors)
    return name


def _name_taken(session: Session, shop_id: int, name: str, reply_id: int | None) -> bool:
    # compared without case, as MariaDB's collation compares the unique key
    query = select(SavedReply.id).where(
        SavedReply.shop_id == shop_id, func.lower(SavedReply.name) == name.lower()
    )
    if reply_id is not None:
        query = query.where(SavedReply.id != reply_id)
    return session.scalar(query.limit(1)) is not None


def values_for(shop: Shop, inquiry: Inquiry) -> dict[str, str]:
    """The template's fields for a reply to this inquiry."""
    return {
        "first_name": first_name(inquiry.customer_name),
        "name": inquiry.customer_name,
        "shop_name": shop.name,
        "inquiry_type": shop.type_labels().get(inquiry.inquiry_type, inquiry.inquiry_type),
    }


def render(shop: Shop, reply: SavedReply, inquiry: Inquiry) -> str:
    """The saved reply's text for this inquiry's customer."""
    return templates.render(reply.body, values_for(shop, inquiry))
