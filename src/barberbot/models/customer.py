"""Customers derived from inquiries: one per connected set of e-mails and phones in a shop."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from barberbot.models.base import Base, UTCDateTime, UUIDString, utcnow


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class ConsentState(enum.StrEnum):
    NONE = "none"
    PENDING = "pending"  # e-mail double opt-in: asked, not confirmed yet
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"


class Customer(Base):
    """Latest details, inquiry history in aggregate, and the consent state per channel.

    Maintained by `customers.service.sync`; the consent columns are the latest word of the
    customer's `ConsentEvent`s, kept here so segments filter on them in SQL.
    """

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_shop_last", "shop_id", "last_inquiry_at"),
        # the dashboard counts one day's new customers on the index (`CustomerDay` the rest)
        Index("ix_customers_shop_first", "shop_id", "first_inquiry_at"),
        # segments test counts, dates and consent within a gender/age band on the index
        Index(
            "ix_customers_shop_gender_age_cover",
            "shop_id",
            "gender",
            "age",
            "inquiry_count",
            "last_inquiry_at",
            "email_consent",
            "sms_consent",
        ),
        Index("ix_customers_shop_email_consent", "shop_id", "email_consent"),
        Index("ix_customers_shop_sms_consent", "shop_id", "sms_consent"),
        # the double opt-in poll: pending e-mail consent and no confirmation sent yet
        Index("ix_customers_email_consent_confirmation", "email_consent", "confirmation_sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    first_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    age: Mapped[int] = mapped_column(SmallInteger)
    gender: Mapped[str] = mapped_column(String(24))
    location: Mapped[str | None] = mapped_column(String(64))
    inquiry_count: Mapped[int] = mapped_column(Integer, default=0)
    first_inquiry_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_inquiry_at: Mapped[datetime] = mapped_column(UTCDateTime)
    email_consent: Mapped[str] = mapped_column(String(16), default=ConsentState.NONE)
    email_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sms_consent: Mapped[str] = mapped_column(String(16), default=ConsentState.NONE)
    sms_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerContact(Base):
    """An e-mail (casefolded) or phone (digits) and the customer it belongs to."""

    __tablename__ = "customer_contacts"
    __table_args__ = (Index("ix_customer_contacts_customer_id", "customer_id"),)

    shop_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(254), primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("customers.id", ondelete="CASCADE")
    )


class CustomerInquiry(Base):
    """Which customer an inquiry belongs to, with what segments ask of it (type, time)."""

    __tablename__ = "customer_inquiries"
    __table_args__ = (
        Index("ix_customer_inquiries_customer_type", "customer_id", "inquiry_type", "received_at"),
        Index("ix_customer_inquiries_shop_id", "shop_id"),
        # an incremental sync drops forgotten links within the unsettled and late days only
        Index("ix_customer_inquiries_shop_received", "shop_id", "received_at"),
        # segment rules on inquiry types read a shop's inquiries of a type in a period once
        Index(
            "ix_customer_inquiries_shop_type_received",
            "shop_id",
            "inquiry_type",
            "received_at",
            "customer_id",
        ),
    )

    # no foreign key to inquiries: a forgotten inquiry leaves a row that sync then removes
    inquiry_id: Mapped[uuid.UUID] = mapped_column(UUIDString, primary_key=True)
    shop_id: Mapped[int] = mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("customers.id", ondelete="CASCADE")
    )
    inquiry_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CustomerDay(Base):
    """How many of a shop's customers have their first, and their last, inquiry on a UTC day
    (days since 1970-01-01): a year's customers are a sum over a few hundred of these rows.

    Kept exact by `customers.service` whenever a customer is made, merged, refreshed or
    deleted; a day no customer starts or ends on has no row.
    """

    __tablename__ = "customer_days"

    shop_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    firsts: Mapped[int] = mapped_column(Integer, default=0)
    lasts: Mapped[int] = mapped_column(Integer, default=0)


class ConsentEvent(Base):
    """Evidence: who agreed or withdrew, on which channel, when and how. Never updated."""

    __tablename__ = "consent_events"
    __table_args__ = (
        Index("ix_consent_events_customer_channel", "customer_id", "channel", "at"),
        Index("ix_consent_events_inquiry_id", "inquiry_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("customers.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))
    # e.g. "inquiry:web_form", "unsubscribe_link", "one_click", "sms_stop", "confirmation_link"
    method: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    inquiry_id: Mapped[uuid.UUID | None] = mapped_column(UUIDString)
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
