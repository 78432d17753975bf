from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import Mapped, mapped_column

from barberbot.core.choices import DEFAULT_INQUIRY_TYPES
from barberbot.models.base import Base, UTCDateTime, utcnow

DEFAULT_CONSENT_TEXT = (
    "Yes, {shop} may send me offers and news by e-mail or SMS. I can unsubscribe at any time."
)

DEFAULT_THANKS_TEXT = "{shop} has your inquiry and will be in touch soon."


class Shop(Base):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # ISO 3166-1 alpha-2: phone numbers given without a country code are read as this
    # country's; None (unknown) refuses them
    country: Mapped[str | None] = mapped_column(String(2))
    inquiry_types: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=lambda: [{"key": k, "label": v} for k, v in DEFAULT_INQUIRY_TYPES]
    )
    consent_text: Mapped[str] = mapped_column(Text, default="")
    # shown after a customer sends the web form; empty: the standard words
    thanks_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # '#1f6feb': the web form's buttons and accents; None: the standard colour
    brand_colour: Mapped[str | None] = mapped_column(String(7))
    # the logo's digest (ShopLogo), in its URL so browsers may keep it for good; None: no logo
    logo_digest: Mapped[str | None] = mapped_column(String(16))
    # erase the inquiries without marketing consent older than this many months; None: never
    retention_months: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def type_labels(self) -> dict[str, str]:
        """The inquiry types this shop offers, key -> label, in display order."""
        return {t["key"]: t["label"] for t in self.inquiry_types}

    def effective_consent_text(self) -> str:
        return (self.consent_text or DEFAULT_CONSENT_TEXT).replace("{shop}", self.name)

    def effective_thanks_text(self) -> str:
        return (self.thanks_text or DEFAULT_THANKS_TEXT).replace("{shop}", self.name)


class ShopLogo(Base):
    """The web form's logo, apart from the shop row so reading a shop never reads the image."""

    __tablename__ = "shop_logos"

    shop_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    content_type: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(16))
    # MariaDB's BLOB holds 64 KB; a logo may be up to LOGO_MAX
    data: Mapped[bytes] = mapped_column(
        LargeBinary().with_variant(mysql.MEDIUMBLOB(), "mysql", "mariadb")
    )


class ShopSettingsVersion(Base):
    """Every saved change of a shop's settings: a snapshot of them all, and what changed."""

    __tablename__ = "shop_settings_versions"

    shop_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    changed: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
