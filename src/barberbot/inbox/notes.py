"""Internal notes on an inquiry: for the shop's members, never sent to the customer."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.inbox import events
from barberbot.inquiries.rules import InquiryInvalid
from barberbot.models import EventKind, Inquiry, InquiryNote, User

NOTE_MAX = 2000


def add(session: Session, inquiry: Inquiry, author: User | None, body: str) -> InquiryNote:
    """Keep a note (and its event); flushes, so it has its id."""
    text = body.strip()
    if not text:
        raise InquiryInvalid({"body": "Write something in the note."})
    if len(text) > NOTE_MAX:
        raise InquiryInvalid(
            {"body": f"A note can be at most {NOTE_MAX:,} characters; this one has {len(text):,}."}
        )
    note = InquiryNote(
        inquiry_id=inquiry.id,
        shop_id=inquiry.shop_id,
        author_id=author.id if author is not None else None,
        body=text,
    )
    session.add(note)
    session.flush()  # the note's id, for its event
    events.record(session, inquiry, author, EventKind.NOTE, to_value=str(note.id))
    session.flush()
    return note


def of(session: Session, inquiry: Inquiry) -> Sequence[InquiryNote]:
    """The inquiry's notes, oldest first."""
    return session.scalars(
        select(InquiryNote)
        .where(InquiryNote.inquiry_id == inquiry.id)
        .order_by(InquiryNote.created_at, InquiryNote.id)
    ).all()
