"""Campaign links to the web form: `?c=<campaign token>` is kept through the form and recorded
with the inquiry it brings (the web form calls these two functions)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import Campaign, CampaignAttribution, Shop

TOKEN_MAX = 32


def tracked(action: str, token: str | None) -> str:
    """The form's action URL, carrying the campaign token on to the POST."""
    if not token or len(token) > TOKEN_MAX:
        return action
    return f"{action}{'&' if '?' in action else '?'}{urlencode({'c': token})}"


def record_link(session: Session, shop: Shop, token: str | None, inquiry_id: uuid.UUID) -> None:
    """Attribute the inquiry to the shop's campaign with this token (others are ignored)."""
    if not token or len(token) > TOKEN_MAX:
        return
    campaign_id = session.scalar(
        select(Campaign.id).where(Campaign.token == token, Campaign.shop_id == shop.id)
    )
    if campaign_id is not None:
        session.add(CampaignAttribution(inquiry_id=inquiry_id, campaign_id=campaign_id))
        session.flush()
