"""The web form's logo: a small PNG, JPEG or WebP kept in the database, served under its digest
so browsers may keep it for good (a new logo has a new address)."""

from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from barberbot.models import Shop, ShopLogo, User
from barberbot.shops import settings
from barberbot.shops.settings import SettingsInvalid

LOGO_MAX = 200 * 1024
TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def image_type(data: bytes) -> str | None:
    """The content type the bytes really are (their magic number), of those allowed."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def put(session: Session, shop: Shop, data: bytes, *, by: User | None = None) -> ShopLogo:
    """The shop's new logo (recorded as a version), or SettingsInvalid for the `logo` field."""
    if not data:
        raise SettingsInvalid({"logo": "Choose an image file for the logo."})
    if len(data) > LOGO_MAX:
        raise SettingsInvalid(
            {"logo": f"The logo is {len(data) // 1024} KB; keep it to {LOGO_MAX // 1024} KB."}
        )
    kind = image_type(data)
    if kind is None:
        raise SettingsInvalid({"logo": "The logo must be a PNG, JPEG or WebP image."})
    before = settings.snapshot(shop)
    found = session.get(ShopLogo, shop.id) or ShopLogo(shop_id=shop.id)
    found.content_type, found.data = kind, data
    found.digest = hashlib.sha256(data).hexdigest()[:16]
    session.add(found)
    shop.logo_digest = found.digest
    settings.record(session, shop, before, by=by)
    return found


def remove(session: Session, shop: Shop, *, by: User | None = None) -> None:
    before = settings.snapshot(shop)
    found = session.get(ShopLogo, shop.id)
    if found is not None:
        session.delete(found)
    shop.logo_digest = None
    settings.record(session, shop, before, by=by)


def read(session: Session, shop_id: int, digest: str) -> ShopLogo | None:
    """The logo with this digest; None once it was replaced (its old address is gone)."""
    found = session.get(ShopLogo, shop_id)
    return found if found is not None and found.digest == digest else None


def url(shop: Shop) -> str | None:
    if shop.logo_digest is None:
        return None
    return f"/s/{shop.slug}/logo/{shop.logo_digest}"
