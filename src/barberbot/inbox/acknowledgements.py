"""The customer's "we got your message" e-mail, once per inquiry, from the sender's loop.

Queued by the scan (inbox/scan.py) for a shop that has them on (the default), for inquiries
with an e-mail received since it turned them on (or since the upgrade); sent like replies
(claimed first, at most once). Imported inquiries get none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from barberbot.inbox import outgoing
from barberbot.messaging.claims import Composed, Ready, Refused
from barberbot.messaging.messages import Email
from barberbot.models import (
    InboxSettings,
    Inquiry,
    InquiryAcknowledgement,
    InquiryStatus,
    ReplyStatus,
    Shop,
    Source,
)
from barberbot.models.base import utcnow

ANSWERED = "Not sent: the inquiry was answered first."


def queue(session: Session, shop: Shop, marks: InboxSettings, found: Sequence[Any]) -> int:
    """Rows for the scanned inquiries that get one; the unique inquiry_id keeps it to one."""
    if not marks.acknowledge:
        return 0
    rows = [
        {"inquiry_id": inquiry_id, "shop_id": shop.id, "status": ReplyStatus.QUEUED.value,
         "created_at": utcnow()}
        for inquiry_id, received_at, email, source in found
        if email and source != Source.IMPORT and received_at >= marks.acknowledge_since
    ]  # fmt: skip
    if rows:
        session.execute(insert(InquiryAcknowledgement), rows)
    return len(rows)


def text(shop: Shop, inquiry: Inquiry, hours: int) -> tuple[str, str]:
    first = inquiry.customer_name.split()[0] if inquiry.customer_name.strip() else ""
    within = "an hour" if hours == 1 else f"{hours} hours"
    subject = f"We got your message - {shop.name}"
    body = (
        f"Hello {first},\n\n".replace(" ,", ",")
        + f"Thank you for your message to {shop.name}. We got it, and we usually answer "
        f"within {within}.\n\nYou can reply to this e-mail to add anything.\n\n{shop.name}\n"
    )
    return subject, body


def compose(session: Session, ack_id: int, domain: str) -> Composed:
    ack = session.get(InquiryAcknowledgement, ack_id)
    if ack is None or ack.status != ReplyStatus.QUEUED:
        return None
    inquiry = session.get(Inquiry, ack.inquiry_id)
    shop = session.get(Shop, ack.shop_id)
    if inquiry is None or shop is None or not inquiry.email:
        return Refused("Not sent: the inquiry has no e-mail address.", ReplyStatus.SKIPPED)
    if inquiry.status != InquiryStatus.NEW:  # the shop answered before the sender came round
        return Refused(ANSWERED, ReplyStatus.SKIPPED)
    marks = session.get(InboxSettings, shop.id)
    subject, body = text(shop, inquiry, marks.answer_within_hours if marks else 4)
    root = outgoing.thread_root(inquiry, domain)  # replies answer this very message
    email = Email(
        inquiry.email, subject, body, reply_to=outgoing.reply_to(session, shop),
        shop_id=shop.id, message_id=root, sender_name=shop.name,
    )  # fmt: skip
    return Ready(email, {"message_id": root})


def started_at(marks: InboxSettings, now: datetime) -> None:
    """Turned on: only inquiries from now on are acknowledged."""
    marks.acknowledge_since = now
