"""Replies to the customer from an inquiry: by e-mail, or by SMS when there is only a phone.

`queue` only stores the reply as `queued`, with its event, and moves the inquiry to
`waiting` (on the customer), all in the caller's transaction. Sending it is the sender's
work (not this module's): it claims queued replies, sends each once, and records `sent`
or `failed` with the reason in plain words; it also honours an SMS STOP. Replies are
transactional (the answer to the customer's own question), so no marketing consent is asked.
A reply's body is sent as written; a saved reply is filled in for the inquiry here.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.campaigns import templates
from barberbot.inbox import events, saved_replies, transitions
from barberbot.inquiries.rules import InquiryInvalid
from barberbot.models import (
    Channel,
    EventKind,
    Inquiry,
    InquiryReply,
    InquiryStatus,
    ReplyStatus,
    Shop,
    User,
)

NO_CONTACT = "This inquiry has no e-mail or phone to reply to."
LIMITS = {Channel.EMAIL: templates.BODY_MAX, Channel.SMS: templates.SMS_MAX}


def channel_for(inquiry: Inquiry) -> Channel | None:
    """E-mail when the customer gave one, else SMS to their phone, else none."""
    if inquiry.email:
        return Channel.EMAIL
    if inquiry.phone:
        return Channel.SMS
    return None


def queue(
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    author: User | None,
    *,
    body: str | None = None,
    subject: str | None = None,
    saved_reply_id: int | None = None,
) -> InquiryReply:
    """Queue a reply (its text, or a saved reply's for this inquiry), or refuse it whole."""
    channel = channel_for(inquiry)
    errors: dict[str, str] = {} if channel is not None else {"contact": NO_CONTACT}
    text = _text(session, shop, inquiry, body, saved_reply_id, errors)
    if channel is not None and text and len(text) > LIMITS[channel]:
        errors["body"] = f"Keep the {_WORD[channel]} under {LIMITS[channel]:,} characters."
    line = " ".join((subject or "").split())  # one line: nothing can add a header
    if channel == Channel.EMAIL and len(line) > templates.SUBJECT_MAX:
        errors["subject"] = f"Keep the subject under {templates.SUBJECT_MAX} characters."
    if errors or channel is None:
        raise InquiryInvalid(errors)
    reply = InquiryReply(
        inquiry_id=inquiry.id,
        shop_id=shop.id,
        channel=channel.value,
        subject=(line or f"Your message to {shop.name}") if channel == Channel.EMAIL else "",
        body=text,
        status=ReplyStatus.QUEUED.value,
        created_by=author.id if author is not None else None,
    )
    session.add(reply)
    session.flush()  # the reply's id, for its event
    events.record(
        session, inquiry, author, EventKind.REPLY, to_value=str(reply.id), detail=channel.value
    )
    transitions.move(session, inquiry, author, InquiryStatus.WAITING)
    session.flush()
    return reply


_WORD = {Channel.EMAIL: "e-mail", Channel.SMS: "text message"}


def _text(
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    body: str | None,
    saved_reply_id: int | None,
    errors: dict[str, str],
) -> str:
    """The reply's text: as written, or the saved reply's filled in ('' with an error)."""
    if saved_reply_id is not None:
        if body is not None:
            errors["body"] = "Write a reply or choose a saved reply, not both."
            return ""
        saved = saved_replies.get(session, shop, saved_reply_id)
        if saved is None:
            errors["saved_reply_id"] = "No such saved reply in this shop."
            return ""
        rendered = saved_replies.render(shop, saved, inquiry).strip()
        if not rendered:
            errors["saved_reply_id"] = "This saved reply comes out empty for this inquiry."
        return rendered
    if body is None or not body.strip():
        errors["body"] = "Write a reply, or choose a saved reply."
        return ""
    return body.strip()


def of(session: Session, inquiry: Inquiry) -> Sequence[InquiryReply]:
    """The inquiry's replies, oldest first."""
    return session.scalars(
        select(InquiryReply)
        .where(InquiryReply.inquiry_id == inquiry.id)
        .order_by(InquiryReply.created_at, InquiryReply.id)
    ).all()
