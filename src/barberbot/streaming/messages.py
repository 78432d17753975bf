"""The inquiry message on the topic: JSON with a schema version, keyed by shop.

{"schema": "barberbot.inquiry", "version": 1, "id": "<uuid>", "shop": "<slug>",
 "received_at": "<ISO 8601 UTC>", "source": "web_form", "form_version": 3,
 "inquiry": {<InquiryCreate>}}

`form_version` is the version of the shop's form the custom answers (`inquiry.answers`) were
checked against; 0 when the shop had no form. Messages from before forms lack it (None): the
worker then checks their answers against the shop's current form.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from barberbot.inquiries.rules import InquiryCreate
from barberbot.models import Source

SCHEMA = "barberbot.inquiry"
VERSION = 1


class BadMessage(ValueError):
    """A message that can never be stored; the reason goes with it to the dead-letter topic."""


@dataclass(frozen=True)
class InquiryMessage:
    id: uuid.UUID
    shop: str
    received_at: datetime
    source: Source
    inquiry: dict[str, Any]  # raw: the worker validates it again with the same rules
    form_version: int | None = None  # None: not said (a message from before forms)

    @property
    def key(self) -> bytes:
        return self.shop.encode()


def encode(
    *,
    inquiry_id: uuid.UUID,
    shop: str,
    received_at: datetime,
    source: Source,
    data: InquiryCreate,
    form_version: int = 0,
) -> bytes:
    body = {
        "schema": SCHEMA,
        "version": VERSION,
        "id": str(inquiry_id),
        "shop": shop,
        "received_at": received_at.astimezone(UTC).isoformat(),
        "source": source.value,
        "form_version": form_version,
        "inquiry": data.model_dump(mode="json"),
    }
    return orjson.dumps(body)


def decode(value: bytes | None) -> InquiryMessage:
    """Parse the envelope; the inquiry inside is checked later, against its shop."""
    try:
        body = orjson.loads(value or b"")
    except orjson.JSONDecodeError:
        raise BadMessage("not JSON") from None
    if not isinstance(body, dict) or body.get("schema") != SCHEMA:
        raise BadMessage("not a barberbot.inquiry message")
    if body.get("version") != VERSION:
        raise BadMessage(f"unknown schema version {body.get('version')!r}")
    try:
        received_at = datetime.fromisoformat(body["received_at"])
        if received_at.tzinfo is None:
            raise ValueError("received_at without a timezone")
        message = InquiryMessage(
            id=uuid.UUID(body["id"]),
            shop=str(body["shop"]),
            received_at=received_at.astimezone(UTC),
            source=Source(body["source"]),
            inquiry=body["inquiry"],
            form_version=_form_version(body.get("form_version")),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise BadMessage(f"malformed envelope: {error}") from None
    if not isinstance(message.inquiry, dict):
        raise BadMessage("malformed envelope: inquiry is not an object")
    return message


def _form_version(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"form_version {value!r} is not a version number")
    return value
