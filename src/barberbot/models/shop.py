from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from barberbot.core.choices import DEFAULT_INQUIRY_TYPES
from barberbot.models.base import Base, UTCDateTime, utcnow

DEFAULT_CONSENT_TEXT = (
    "Yes, {shop} may send me offers and news by e-mail or SMS. I can unsubscribe at any time."
)


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def type_labels(self) -> dict[str, str]:
        """The inquiry types this shop offers, key -> label, in display order."""
        return {t["key"]: t["label"] for t in self.inquiry_types}

    def effective_consent_text(self) -> str:
        return (self.consent_text or DEFAULT_CONSENT_TEXT).replace("{shop}", self.name)
