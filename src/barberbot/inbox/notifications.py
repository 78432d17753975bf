"""E-mails to a shop's members about its inquiries: one per new inquiry, an hourly digest, or
none (each member's choice, models.inbox.Notify), and the overdue reminder
(inbox/overdue_reminders.py). Unique per member and key, claimed before sending: each once."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.inbox import preferences
from barberbot.messaging.claims import Composed, Ready, Refused
from barberbot.messaging.messages import Email
from barberbot.models import (
    InboxNotification,
    InboxSettings,
    Inquiry,
    InquiryStatus,
    NotificationKind,
    Notify,
    ReplyStatus,
    Shop,
    User,
)
from barberbot.models.base import utcnow

HOUR = timedelta(hours=1)
DIGEST_MOST = 50  # inquiries listed in a digest; the rest counted


def key(kind: NotificationKind, inquiry_id: object = None, at: datetime | None = None) -> str:
    if at is not None:
        return f"{kind.value}:{at:%Y%m%dT%H}"
    return f"{kind.value}:{inquiry_id}"


def add(
    session: Session, shop: Shop, users: Iterable[User], kind: NotificationKind, *,
    inquiry_id: uuid.UUID | None = None, period_start: datetime | None = None,
) -> int:  # fmt: skip
    """One row per member not yet notified of this (the unique key keeps it to one)."""
    wanted = key(kind, inquiry_id, period_start)
    ids = [user.id for user in users]
    if not ids:
        return 0
    done = set(
        session.scalars(
            select(InboxNotification.user_id).where(
                InboxNotification.user_id.in_(ids), InboxNotification.key == wanted
            )
        )
    )
    for user_id in ids:
        if user_id not in done:
            session.add(
                InboxNotification(
                    shop_id=shop.id, user_id=user_id, kind=kind.value, key=wanted,
                    inquiry_id=inquiry_id, period_start=period_start,
                    status=ReplyStatus.QUEUED.value, created_at=utcnow(),
                )
            )  # fmt: skip
    session.flush()
    return len(ids) - len(done)


def queue_each(session: Session, shop: Shop, inquiry_ids: Sequence[uuid.UUID]) -> int:
    each = [user for user, choice in preferences.members(session, shop) if choice == Notify.EACH]
    return sum(
        add(session, shop, each, NotificationKind.INQUIRY, inquiry_id=inquiry_id)
        for inquiry_id in inquiry_ids
    )


def queue_digests(session: Session, shop: Shop, marks: InboxSettings, now: datetime) -> bool:
    """The digest of the last full hour, to the members who chose it, if inquiries came in
    it; hours missed while no sender ran are folded into that one (never a flood)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    if marks.digest_through >= hour:
        return False
    start = max(marks.digest_through, hour - HOUR)
    marks.digest_through = hour
    came = session.scalar(
        select(Inquiry.id)
        .where(Inquiry.shop_id == shop.id, Inquiry.received_at >= start, Inquiry.received_at < hour)
        .limit(1)
    )
    digest = [user for user, c in preferences.members(session, shop) if c == Notify.DIGEST]
    if came is not None and digest:
        add(session, shop, digest, NotificationKind.DIGEST, period_start=start)
    session.flush()
    return True


def inquiry_url(base: str, shop: Shop, inquiry_id: object) -> str:
    return f"{base}/shops/{shop.slug}/inquiries/{inquiry_id}"


def _line(shop: Shop, inquiry: Inquiry) -> str:
    at = inquiry.received_at.astimezone(ZoneInfo(shop.timezone))
    kind = shop.type_labels().get(inquiry.inquiry_type, inquiry.inquiry_type)
    return f"{at:%H:%M} {inquiry.customer_name} ({kind})"


def _details(shop: Shop, inquiry: Inquiry, base: str) -> str:
    contact = " / ".join(c for c in (inquiry.email, inquiry.phone) if c) or "no contact given"
    return (
        f"{_line(shop, inquiry)}\n{contact}\n\n{inquiry.message or '(no message)'}\n\n"
        f"Open it: {inquiry_url(base, shop, inquiry.id)}\n"
    )


def compose(session: Session, notification_id: int, base: str) -> Composed:
    row = session.get(InboxNotification, notification_id)
    if row is None or row.status != ReplyStatus.QUEUED:
        return None
    user = session.get(User, row.user_id)
    shop = session.get(Shop, row.shop_id)
    if user is None or shop is None:
        return Refused(None, ReplyStatus.SKIPPED)
    if row.kind == NotificationKind.DIGEST:
        assert row.period_start is not None
        subject, body = _digest(session, shop, row.period_start, base)
    else:
        inquiry = session.get(Inquiry, row.inquiry_id)
        if inquiry is None:
            return Refused(None, ReplyStatus.SKIPPED)
        if row.kind == NotificationKind.OVERDUE:
            if inquiry.status != InquiryStatus.NEW:
                return Refused("Not sent: the inquiry was taken up first.", ReplyStatus.SKIPPED)
            subject = f"Still waiting for an answer: {inquiry.customer_name} - {shop.name}"
            body = "Nobody has taken up this inquiry yet.\n\n" + _details(shop, inquiry, base)
        else:
            subject = f"New inquiry: {inquiry.customer_name} - {shop.name}"
            body = _details(shop, inquiry, base)
    footer = f"\nYou can choose how you hear of new inquiries in {shop.name}'s inbox settings.\n"
    return Ready(Email(user.email, subject, body + footer, shop_id=shop.id))


def _digest(session: Session, shop: Shop, start: datetime, base: str) -> tuple[str, str]:
    end = start.replace(minute=0, second=0, microsecond=0) + HOUR
    found = session.scalars(
        select(Inquiry)
        .where(Inquiry.shop_id == shop.id, Inquiry.received_at >= start, Inquiry.received_at < end)
        .order_by(Inquiry.received_at)
        .limit(DIGEST_MOST + 1)
    ).all()
    lines = [f"{_line(shop, i)}: {inquiry_url(base, shop, i.id)}" for i in found[:DIGEST_MOST]]
    more = "\n...and more: see the inbox." if len(found) > DIGEST_MOST else ""
    count = f"{len(found)}{'+' if more else ''}"
    subject = f"{count} new {'inquiry' if len(found) == 1 else 'inquiries'} - {shop.name}"
    return subject, "New inquiries in the last hour:\n\n" + "\n".join(lines) + more + "\n"
