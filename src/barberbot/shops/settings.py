"""A shop's settings: checked with a message per field, saved, and versioned like its form.

Every saved change (the settings, an inquiry type, the logo) records a `ShopSettingsVersion`:
who, when, a JSON snapshot of every setting and the names of those that changed. A change
that changes nothing records nothing. Services flush; the edge commits.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.core.countries import country_for_timezone, names
from barberbot.models import Shop, ShopSettingsVersion, User
from barberbot.shops.service import ShopInvalid, checked_country

NAME_MAX = 120
TEXT_MAX = 1000
RETENTION_MONTHS = range(1, 121)
COLOUR_RE = re.compile(r"#[0-9a-fA-F]{6}")


class SettingsInvalid(ValueError):
    """A change refused, with a message per field; nothing is changed."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(self.errors.values()))


def snapshot(shop: Shop) -> dict[str, Any]:
    """Every setting as a version keeps it (the logo by its digest)."""
    return {
        "name": shop.name,
        "timezone": shop.timezone,
        "country": shop.country,
        "consent_text": shop.consent_text,
        "thanks_text": shop.thanks_text,
        "brand_colour": shop.brand_colour,
        "logo": shop.logo_digest,
        "retention_months": shop.retention_months,
        "inquiry_types": [dict(t) for t in shop.inquiry_types],
    }


def _timezone(value: Any) -> str:
    zone = str(value or "").strip()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("Choose a time zone from the list, like 'Europe/London'.") from None
    return zone


def _country(value: Any) -> str | None:
    try:
        return checked_country(None if value is None else str(value))
    except ShopInvalid:
        raise ValueError("Choose a country from the list, or none.") from None


def _name(value: Any) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise ValueError("Give the shop a name.")
    if len(name) > NAME_MAX:
        raise ValueError(f"Keep the name to {NAME_MAX} characters.")
    return name


def _text(value: Any) -> str:
    text = str(value or "").replace("\r\n", "\n").strip()
    if len(text) > TEXT_MAX:
        raise ValueError(f"Keep it to {TEXT_MAX} characters.")
    return text


def _colour(value: Any) -> str | None:
    colour = str(value or "").strip()
    if not colour:
        return None
    if not COLOUR_RE.fullmatch(colour):
        raise ValueError("Give the colour as # and six hex digits, like #1f6feb.")
    return colour.lower()


def _months(value: Any) -> int | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not (text.isdigit() and len(text) <= 3 and int(text) in RETENTION_MONTHS):
        raise ValueError(f"Enter a whole number of months from 1 to {RETENTION_MONTHS[-1]}.")
    return int(text)


# the settings one form (or one PUT) changes; the inquiry types and the logo have their own
CHECKS: dict[str, Callable[[Any], Any]] = {
    "name": _name,
    "timezone": _timezone,
    "country": _country,
    "consent_text": _text,
    "thanks_text": _text,
    "brand_colour": _colour,
    "retention_months": _months,
}


def checked(values: Mapping[str, Any]) -> dict[str, Any]:
    """The given settings cleaned, or SettingsInvalid with a message for every bad one."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, value in values.items():
        if field not in CHECKS:
            errors[field] = "Unknown setting."
            continue
        try:
            clean[field] = CHECKS[field](value)
        except ValueError as refused:
            errors[field] = str(refused)
    if errors:
        raise SettingsInvalid(errors)
    return clean


def update(
    session: Session, shop: Shop, values: Mapping[str, Any], *, by: User | None = None
) -> ShopSettingsVersion | None:
    """Change the given settings (the others stay); the version recorded, if anything changed."""
    clean = checked(values)
    before = snapshot(shop)
    for field, value in clean.items():
        setattr(shop, field, value)
    return record(session, shop, before, by=by)


def record(
    session: Session, shop: Shop, before: Mapping[str, Any], *, by: User | None = None
) -> ShopSettingsVersion | None:
    """A new version if the shop's settings differ from `before`; flushes either way."""
    after = snapshot(shop)
    changed = [key for key in after if after[key] != before.get(key)]
    if not changed:
        session.flush()
        return None
    latest = session.scalar(
        select(func.max(ShopSettingsVersion.version)).where(ShopSettingsVersion.shop_id == shop.id)
    )
    row = ShopSettingsVersion(
        shop_id=shop.id,
        version=(latest or 0) + 1,
        settings=after,
        changed=changed,
        created_by=by.id if by is not None else None,
    )
    session.add(row)
    session.flush()
    return row


def versions(session: Session, shop: Shop, limit: int = 20) -> Sequence[ShopSettingsVersion]:
    """The latest versions, newest first."""
    query = (
        select(ShopSettingsVersion)
        .where(ShopSettingsVersion.shop_id == shop.id)
        .order_by(ShopSettingsVersion.version.desc())
        .limit(limit)
    )
    return session.scalars(query).all()


def by_whom(session: Session, row: ShopSettingsVersion) -> str:
    """Who saved a version: their e-mail, or that it was not someone signed in."""
    found = session.get(User, row.created_by) if row.created_by is not None else None
    return found.email if found is not None else "BarberBot (command line or system)"


def change_types(
    session: Session,
    shop: Shop,
    change: Callable[[Session, Shop], Any],
    *,
    by: User | None = None,
) -> Any:
    """Run one of `shops.inquiry_types`' changes and record the version; its result."""
    before = snapshot(shop)
    result = change(session, shop)
    record(session, shop, before, by=by)
    return result


def time_zones(country: str | None, current: str = "UTC") -> list[str]:
    """Every zone a shop may choose: its country's first, then UTC, then the rest A-Z."""
    zones = _zones()
    own = [z for z in zones if country and country_for_timezone(z) == country]
    extra = [current] if current not in zones and current != "UTC" else []
    return [*extra, *own, "UTC", *[z for z in zones if z not in own]]


@cache
def _zones() -> list[str]:
    """The zones of a country (the IANA table's), not aliases like 'US/Eastern'."""
    return sorted(z for z in zoneinfo.available_timezones() if country_for_timezone(z))


def countries() -> list[tuple[str, str]]:
    """(code, name) of every country phone numbering knows, by name."""
    known = names() | _NOT_IN_THE_TABLE
    found = [(code, known.get(code, code)) for code in phonenumbers.SUPPORTED_REGIONS]
    return sorted(found, key=lambda pair: pair[1])


# phone numbering's regions that ISO 3166 (and so the time zone table) does not name
_NOT_IN_THE_TABLE = {"AC": "Ascension Island", "TA": "Tristan da Cunha", "XK": "Kosovo"}
