from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from barberbot.core.choices import Gender, InquiryStatus, Outcome, Source
from barberbot.models.base import Base, UTCDateTime, UUIDString, utcnow

__all__ = ["Gender", "Inquiry", "InquiryStatus", "Outcome", "Source"]


class Inquiry(Base):
    __tablename__ = "inquiries"
    __table_args__ = (
        # every column the dashboard reads, so a shop's period is one index range (migration
        # b3f18d6c2a47); it starts like the (shop_id, received_at, id) index it replaced
        Index(
            "ix_inquiries_shop_received_cover",
            "shop_id",
            "received_at",
            "id",
            "inquiry_type",
            "gender",
            "age",
            "marketing_consent",
            "location",
            "email",
            "phone",
        ),
        # a view filtered by gender, type or location reads only those inquiries of its period
        # (analytics.queries.narrowed)
        Index("ix_inquiries_shop_gender_received", "shop_id", "gender", "received_at", "age"),
        Index("ix_inquiries_shop_location", "shop_id", "location", "received_at"),
        Index("ix_inquiries_shop_type", "shop_id", "inquiry_type", "received_at"),
        # a customer's earlier inquiries, by e-mail or by phone (new vs returning)
        Index("ix_inquiries_shop_email", "shop_id", "email", "received_at"),
        Index("ix_inquiries_shop_phone", "shop_id", "phone", "received_at"),
        # the inbox: a shop's inquiries of some statuses, newest first (migration 8b2c3d4e5f6a),
        # filtered and counted from the index alone (cf7a8b9cadbe)
        Index(
            "ix_inquiries_shop_status_received",
            "shop_id",
            "status",
            "received_at",
            "inquiry_type",
            "location",
            "assignee_id",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUIDString, primary_key=True, default=uuid.uuid4)
    shop_id: Mapped[int] = mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    customer_name: Mapped[str] = mapped_column(String(120))
    age: Mapped[int] = mapped_column(SmallInteger)
    gender: Mapped[str] = mapped_column(String(24))
    inquiry_type: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text, default="")
    marketing_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_text: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    location: Mapped[str | None] = mapped_column(String(64))
    # what the customer said, digested (inquiries.capture.fingerprint): the same id again with
    # the same fingerprint is a replay, with another a conflict; None for inquiries from
    # before it was kept
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    # the inbox (barberbot.inbox): every change of these is an InquiryEvent
    status: Mapped[str] = mapped_column(
        String(16), default=InquiryStatus.NEW, server_default=InquiryStatus.NEW.value
    )
    outcome: Mapped[str | None] = mapped_column(String(16))  # set when, and only when, closed
    assignee_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
