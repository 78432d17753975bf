"""The inbox around an inquiry: its events (the timeline), notes, replies; a shop's saved replies.

An inquiry's status, outcome and assignee are columns of `inquiries` (models/inquiry.py);
every change of them, every note and every reply is also an `InquiryEvent`, appended and
never changed, so figures such as the time to a first reply are read from the events.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from barberbot.models.base import Base, UTCDateTime, UUIDString, utcnow


class EventKind(enum.StrEnum):
    STATUS = "status"  # from_value -> to_value; detail: the outcome, when closed
    ASSIGNED = "assigned"  # user ids, None for nobody
    NOTE = "note"  # to_value: the note's id
    REPLY = "reply"  # to_value: the reply's id; detail: its channel


class ReplyStatus(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # claimed by a sender; the message may be on its way
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"  # never sent, on purpose (acknowledgements, notifications): no longer due


class InquiryEvent(Base):
    """One change of an inquiry, who made it and when (the actor None: the system)."""

    __tablename__ = "inquiry_events"
    __table_args__ = (
        Index("ix_inquiry_events_inquiry_at", "inquiry_id", "at"),
        # a shop's figures of one kind over a period (first replies, say)
        Index("ix_inquiry_events_shop_kind_at", "shop_id", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_id: Mapped[uuid.UUID] = mapped_column(
        UUIDString, ForeignKey("inquiries.id", ondelete="CASCADE")
    )
    shop_id: Mapped[int] = mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(16))
    from_value: Mapped[str | None] = mapped_column(String(64))
    to_value: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(255))


class InquiryNote(Base):
    """An internal note on an inquiry: the shop's members see it, the customer never does."""

    __tablename__ = "inquiry_notes"
    __table_args__ = (Index("ix_inquiry_notes_inquiry_created", "inquiry_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_id: Mapped[uuid.UUID] = mapped_column(
        UUIDString, ForeignKey("inquiries.id", ondelete="CASCADE")
    )
    shop_id: Mapped[int] = mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SavedReply(Base):
    """A reply a shop writes once: its body a template (`{{ first_name }}` and the like)."""

    __tablename__ = "saved_replies"
    __table_args__ = (UniqueConstraint("shop_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InquiryReply(Base):
    """A reply to the customer, queued here and sent by the sender (status and error its)."""

    __tablename__ = "inquiry_replies"
    __table_args__ = (
        Index("ix_inquiry_replies_inquiry_created", "inquiry_id", "created_at"),
        # the sender's queue: the oldest queued replies first
        Index("ix_inquiry_replies_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_id: Mapped[uuid.UUID] = mapped_column(
        UUIDString, ForeignKey("inquiries.id", ondelete="CASCADE")
    )
    shop_id: Mapped[int] = mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(8))  # models.customer.Channel
    subject: Mapped[str] = mapped_column(String(255), default="")  # e-mail only
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ReplyStatus.QUEUED)
    error: Mapped[str | None] = mapped_column(Text)  # why it failed, in plain words
    # the sender's claim (queued -> sending) and the e-mail's Message-ID, both recorded
    # before the message goes (migration ad5e6f7a8b9c)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(String(255))
    created_by: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Notify(enum.StrEnum):
    """How a member hears of new inquiries (a membership's choice; None: its role's default)."""

    EACH = "each"  # an e-mail per inquiry (the owners' default)
    DIGEST = "digest"  # one e-mail an hour listing them (the staff's default)
    NONE = "none"


class InboxSettings(Base):
    """A shop's inbox choices and how far the sender has looked at its inquiries (one row per
    shop; a shop without one gets it from the sender, with the defaults)."""

    __tablename__ = "inbox_settings"

    shop_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True
    )
    acknowledge: Mapped[bool] = mapped_column(Boolean, default=True)
    answer_within_hours: Mapped[int] = mapped_column(Integer, default=4)
    # only inquiries received from then on are acknowledged (no flood for older ones)
    acknowledge_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the inquiries received up to (scanned_at, scanned_id) have their acknowledgement and
    # notifications queued
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    scanned_id: Mapped[str] = mapped_column(String(36), default="")
    # and up to here were looked at for the overdue reminder
    overdue_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    overdue_id: Mapped[str] = mapped_column(String(36), default="")
    # the hourly digests are queued for the hours before this one
    digest_through: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InquiryAcknowledgement(Base):
    """The customer's "we got your message" e-mail: one per inquiry at most."""

    __tablename__ = "inquiry_acknowledgements"
    __table_args__ = (Index("ix_inquiry_acknowledgements_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    inquiry_id: Mapped[uuid.UUID] = mapped_column(
        UUIDString, ForeignKey("inquiries.id", ondelete="CASCADE"), unique=True
    )
    shop_id: Mapped[int] = mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=ReplyStatus.QUEUED)
    error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationKind(enum.StrEnum):
    INQUIRY = "inquiry"  # a new inquiry, to a member who chose one e-mail each
    DIGEST = "digest"  # the hour's new inquiries, to a member who chose the digest
    OVERDUE = "overdue"  # still new after the shop's response target


class InboxNotification(Base):
    """An e-mail to a member of the shop about its inquiries: unique per member and `key`
    (the kind and the inquiry, or the digest's hour), so each goes once."""

    __tablename__ = "inbox_notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_inbox_notifications_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shop_id: Mapped[int] = mapped_column(Integer, ForeignKey("shops.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(80))
    inquiry_id: Mapped[uuid.UUID | None] = mapped_column(
        UUIDString, ForeignKey("inquiries.id", ondelete="CASCADE")
    )
    period_start: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a digest's hour
    status: Mapped[str] = mapped_column(String(16), default=ReplyStatus.QUEUED)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
