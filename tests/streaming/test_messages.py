from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest

from barberbot.inquiries.rules import InquiryCreate
from barberbot.models import Source
from barberbot.streaming.messages import BadMessage, decode, encode
from tests.factories import inquiry_payload

AT = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def _encoded() -> tuple[uuid.UUID, bytes]:
    inquiry_id = uuid.uuid4()
    data = InquiryCreate.model_validate(inquiry_payload(customer_name="Zoë 💈"))
    return inquiry_id, encode(
        inquiry_id=inquiry_id, shop="kings", received_at=AT, source=Source.WEB_FORM, data=data
    )


def test_round_trip_keeps_everything() -> None:
    inquiry_id, value = _encoded()

    message = decode(value)

    assert message.id == inquiry_id
    assert message.shop == "kings"
    assert message.key == b"kings"
    assert message.received_at == AT
    assert message.source is Source.WEB_FORM
    assert message.inquiry["customer_name"] == "Zoë 💈"
    assert json.loads(value)["version"] == 1


def _tampered(**changes: object) -> bytes:
    body = json.loads(_encoded()[1])
    body.update(changes)
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "not a barberbot.inquiry message"),
        (_tampered(schema="other"), "not a barberbot.inquiry message"),
        (_tampered(version=2), "unknown schema version 2"),
        (_tampered(id="not-a-uuid"), "malformed envelope"),
        (_tampered(received_at="2026-11-24T09:30:00"), "malformed envelope"),
        (_tampered(source="fax"), "malformed envelope"),
        (_tampered(inquiry="text"), "inquiry is not an object"),
        (None, "not JSON"),
    ],
)
def test_bad_messages_say_why(value: bytes | None, reason: str) -> None:
    with pytest.raises(BadMessage, match=reason):
        decode(value)
