"""Creating and finding shops."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.core.countries import country_for_timezone
from barberbot.models import Shop

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


# "from the timezone", distinct from None ("no country")
DEFAULT_COUNTRY = "auto"


class ShopInvalid(ValueError):
    pass


def checked_country(country: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code in capitals, one phone numbering knows; or None."""
    if country is None or not country.strip():
        return None
    code = country.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ShopInvalid(
            f"Unknown country {country!r}; use its two-letter ISO code, like 'GB' or 'DE'."
        )
    return code


def set_country(session: Session, shop: Shop, country: str | None) -> Shop:
    shop.country = checked_country(country)
    session.flush()
    return shop


def by_slug(session: Session, slug: str) -> Shop | None:
    return session.scalars(select(Shop).where(Shop.slug == slug)).one_or_none()


def create(
    session: Session,
    *,
    slug: str,
    name: str,
    timezone: str = "UTC",
    country: str | None = DEFAULT_COUNTRY,
) -> Shop:
    """A new shop; its country defaults to its timezone's (none for UTC and the like)."""
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
    if country == DEFAULT_COUNTRY:
        country = country_for_timezone(timezone)
    shop = Shop(slug=slug, name=name.strip(), timezone=timezone, country=checked_country(country))
    session.add(shop)
    session.flush()
    return shop
