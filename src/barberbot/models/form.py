"""A shop's custom form, one row per version, and the custom answers kept in SQL (the default)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from barberbot.models.base import Base, UTCDateTime, UUIDString, utcnow


class FormVersion(Base):
    """Every edit of a shop's form is a new row; older versions are never changed."""

    __tablename__ = "form_versions"

    shop_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    fields: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )


class InquiryAnswers(Base):
    """An inquiry's custom answers and the form version they answered (the SQL answer store)."""

    __tablename__ = "inquiry_answers"
    __table_args__ = (Index("ix_inquiry_answers_shop_received", "shop_id", "received_at"),)

    inquiry_id: Mapped[uuid.UUID] = mapped_column(
        UUIDString, ForeignKey("inquiries.id", ondelete="CASCADE"), primary_key=True
    )
    shop_id: Mapped[int] = mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"))
    form_version: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
