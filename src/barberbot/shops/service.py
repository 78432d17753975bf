"""Creating and finding shops."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import Shop

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


class ShopInvalid(ValueError):
    pass


def by_slug(session: Session, slug: str) -> Shop | None:
    return session.scalars(select(Shop).where(Shop.slug == slug)).one_or_none()


def create(session: Session, *, slug: str, name: str, timezone: str = "UTC") -> Shop:
    if not SLUG_RE.match(slug):
        raise ShopInvalid(
            "A shop slug is 1-64 lowercase letters, digits and dashes, like 'kings-cuts'."
        )
    if not name.strip():
        raise ShopInvalid("A shop needs a name.")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ShopInvalid(
            f"Unknown timezone {timezone!r}; use a name like 'Europe/London'."
        ) from None
    if by_slug(session, slug) is not None:
        raise ShopInvalid(f"A shop with the slug {slug!r} already exists.")
    shop = Shop(slug=slug, name=name.strip(), timezone=timezone)
    session.add(shop)
    session.flush()
    return shop
