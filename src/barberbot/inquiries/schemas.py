"""What the API hands back."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from barberbot.models import Inquiry

# InquiryCreate lives in rules.py: the input schema is the validation rule set.


class InquiryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    received_at: datetime
    customer_name: str
    age: int
    gender: str
    inquiry_type: str
    phone: str | None
    email: str | None
    message: str
    marketing_consent: bool
    consent_at: datetime | None
    consent_text: str | None
    source: str
    location: str | None
    status: str = Field(description="new, open, waiting, booked, closed or spam")
    outcome: str | None = Field(description="How a closed inquiry ended (only when closed)")
    assignee_id: int | None = Field(description="The member working on it, if anyone")
    answers: dict[str, Any] = Field(
        default_factory=dict, description="Answers to the shop's own questions, by key"
    )
    form_version: int | None = Field(
        default=None, description="The version of the shop's form they answered"
    )


class InquiryPage(BaseModel):
    items: list[InquiryRead]
    next_cursor: str | None


class InvalidCursor(ValueError):
    pass


def encode_cursor(inquiry: Inquiry) -> str:
    raw = json.dumps([inquiry.received_at.isoformat(), str(inquiry.id)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, inquiry_id = json.loads(base64.urlsafe_b64decode(padded))
        when = datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError("cursor time without zone")
        return when, uuid.UUID(inquiry_id)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise InvalidCursor("This cursor is not valid; start again without one.") from None
