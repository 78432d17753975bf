"""What the inbox's API reads and hands back (the inquiry itself: `inquiries.schemas`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from barberbot.core.choices import InquiryStatus, Outcome, listed
from barberbot.inbox.notes import NOTE_MAX
from barberbot.inbox.saved_replies import BODY_MAX, FIELDS, NAME_MAX
from barberbot.models import Notify
from barberbot.models.base import INT_MAX

RowId = Annotated[int, Field(ge=1, le=INT_MAX)]

# Lengths and choices are checked by the services, with messages of their own; the schemas
# only document them. Text fields default to "" so that a missing one gets the service's
# message under its name too (`field_errors` takes a field called `body` for the location).


class InquiryUpdate(BaseModel):
    """Only the fields sent change; `assignee: null` gives the inquiry to nobody."""

    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(default=None, description=f"One of: {listed(InquiryStatus)}")
    outcome: str | None = Field(
        default=None, description=f"With status closed, one of: {listed(Outcome)}"
    )
    assignee: RowId | None = Field(
        default=None, description="A member's user id; assigning a new inquiry opens it"
    )


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"required": ["body"]})

    body: str = Field(
        default="", description=f"Up to {NOTE_MAX:,} characters; only the shop sees it"
    )


class NoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    author_id: int | None
    body: str
    created_at: datetime


class EventRead(BaseModel):
    """One change; the timeline is the inquiry's `received_at`, then these, oldest first."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None = Field(description="Who made the change (null: BarberBot itself)")
    kind: str = Field(description="status, assigned, note or reply")
    from_value: str | None = Field(description="status: the old status; assigned: a user id")
    to_value: str | None = Field(
        description="status: the new status; assigned: a user id; note, reply: its id"
    )
    detail: str | None = Field(description="status closed: the outcome; reply: the channel")


class SavedReplyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"required": ["name", "body"]})

    name: str = Field(default="", description=f"1 to {NAME_MAX} characters, one per name in a shop")
    body: str = Field(
        default="",
        description=f"Up to {BODY_MAX:,} characters; fields: "
        + ", ".join(f"{{{{ {field} }}}}" for field in FIELDS),
    )


class SavedReplyUpdate(SavedReplyCreate):
    """The whole saved reply, replaced."""


class SavedReplyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    body: str
    created_at: datetime
    updated_at: datetime


class ReplyCreate(BaseModel):
    """Either a `body` (sent as written, with an optional e-mail `subject`) or a
    `saved_reply_id` (filled in for this inquiry's customer)."""

    model_config = ConfigDict(extra="forbid")

    body: str | None = None
    subject: str | None = Field(default=None, description="E-mail only; a default otherwise")
    saved_reply_id: RowId | None = None


class ReplyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: str = Field(description="email, or sms when the inquiry has only a phone")
    subject: str
    body: str
    status: str = Field(description="queued, sending, sent or failed")
    error: str | None = Field(description="Why it could not be sent, when it failed")
    created_by: int | None
    created_at: datetime
    sent_at: datetime | None


class InboxUpdates(BaseModel):
    """What the owner pages poll for: the nav bar's counts and what arrived since."""

    unread: int = Field(description="New inquiries across all your shops")
    overdue: int = Field(
        description="New inquiries past the shop's response target (4 working hours)"
    )
    newest: uuid.UUID | None = Field(description="The newest inquiry of the shops asked about")
    arrived: int = Field(
        description="Inquiries of the shops asked about received after `since` (0 without it)"
    )


class InboxSettingsRead(BaseModel):
    """The shop's acknowledgement: on (the default) or off, and the hours it promises."""

    acknowledge: bool = Field(description="E-mail each new customer 'we got your message'.")
    answer_within_hours: int = Field(
        ge=1, le=72, description="The acknowledgement says: we usually answer within N hours."
    )


class InboxSettingsUpdate(InboxSettingsRead):
    pass


class NotifyChoice(BaseModel):
    """How the signed-in member hears of this shop's new inquiries."""

    notify: Notify = Field(
        description="each: an e-mail per inquiry; digest: one an hour; none. "
        "Owners default to each, staff to digest."
    )
