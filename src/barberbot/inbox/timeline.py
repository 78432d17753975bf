"""An inquiry's timeline: when it was received, then every event (status, assignment, note,
reply) with the note or reply it names, oldest first. Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from barberbot.inbox import events, notes, replies
from barberbot.models import EventKind, Inquiry, InquiryEvent, InquiryNote, InquiryReply

RECEIVED = "received"


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # RECEIVED or an EventKind
    actor_id: int | None = None
    event: InquiryEvent | None = None
    note: InquiryNote | None = None
    reply: InquiryReply | None = None


def of(session: Session, inquiry: Inquiry) -> list[Entry]:
    """Newest last, so it reads like a conversation."""
    written = {str(note.id): note for note in notes.of(session, inquiry)}
    sent = {str(reply.id): reply for reply in replies.of(session, inquiry)}
    entries = [Entry(inquiry.received_at, RECEIVED)]
    for event in events.of(session, inquiry):
        key = event.to_value or ""
        entries.append(
            Entry(
                event.at,
                event.kind,
                event.actor_id,
                event,
                note=written.get(key) if event.kind == EventKind.NOTE else None,
                reply=sent.get(key) if event.kind == EventKind.REPLY else None,
            )
        )
    return entries
