"""The worker's handler reads phone numbers in the shop's country, like every entry point."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop
from barberbot.streaming.handler import Record, handle
from tests.factories import make_shop
from tests.streaming.helpers import envelope


def _as_typed(shop: Shop, index: int, phone: bytes, email: bytes) -> bytes:
    """A message whose contacts are as a customer typed them (an older producer's, say)."""
    _, value = envelope(shop, index, phone="+447700900123", email="jamal@example.com")
    value = value.replace(b'"phone":"+447700900123"', b'"phone":"' + phone + b'"')
    return value.replace(b'"email":"jamal@example.com"', b'"email":"' + email + b'"')


def test_the_worker_stores_e164_and_casefolded_addresses(session: Session, shop: Shop) -> None:
    nowhere = make_shop(session, slug="nowhere", country=None)
    national = _as_typed(shop, 1, b"07700 900123", b"Jamal@Example.COM")
    international = _as_typed(nowhere, 2, b"0044 7700 900124", b"jamal@example.com")
    unreadable = _as_typed(nowhere, 3, b"07700 900125", b"jamal@example.com")
    assert b'"phone":"07700 900123"' in national  # the message really carries the typed form

    result = handle(session, [Record(national), Record(international), Record(unreadable)])
    session.commit()

    assert result.stored == 2
    assert [d.reason for d in result.dead] == [
        "invalid inquiry: phone: Enter the phone number with its country code, "
        "like +44 7700 900123."
    ]
    stored = {(i.shop_id, i.phone, i.email) for i in session.scalars(select(Inquiry))}
    assert stored == {
        (shop.id, "+447700900123", "jamal@example.com"),
        (nowhere.id, "+447700900124", "jamal@example.com"),
    }
