"""Bulk storing (the worker's and the writer's path): every value arrives exactly as given."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.inquiries import service
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Inquiry, Shop, Source
from tests.factories import inquiry_payload

AWKWARD = [
    "O'Connor \\ backslash",
    'Quote " and %s and %(name)s and ? marks',
    "Zoë Núñez 💈 ✂️",
    "Robert'); DROP TABLE inquiries;--",
    "tab\there\nnew line",
]


def _row(shop: Shop, message: str, **overrides: Any) -> dict[str, Any]:
    data = validate_inquiry(inquiry_payload(message=message, **overrides), shop.type_labels())
    return service.inquiry_values(shop, data, source=Source.IMPORT)


def test_awkward_text_and_nulls_are_stored_exactly(session: Session, shop: Shop) -> None:
    rows = [_row(shop, text, customer_name=f"N {n} {text}") for n, text in enumerate(AWKWARD)]
    rows.append(_row(shop, "", email=None, location="", marketing_consent=False))

    assert service.store_many(session, rows) == len(rows)
    session.commit()
    session.expire_all()

    stored = {i.id: i for i in session.scalars(select(Inquiry))}
    for row in rows:
        inquiry = stored[row["id"]]
        assert inquiry.message == row["message"]
        assert inquiry.customer_name == row["customer_name"]
        assert inquiry.email == row["email"]
        assert inquiry.location == row["location"]
        assert inquiry.marketing_consent == row["marketing_consent"]
        assert inquiry.consent_at == row["consent_at"]
        assert inquiry.received_at == row["received_at"]
    assert rows[-1]["email"] is None
    assert rows[-1]["consent_text"] is None


def test_storing_the_same_rows_again_adds_nothing(session: Session, shop: Shop) -> None:
    rows = [_row(shop, f"message {n}") for n in range(20)]
    assert service.store_many(session, rows[:12]) == 12
    session.commit()

    assert service.store_many(session, rows) == 8
    session.commit()

    assert session.scalar(select(func.count()).select_from(Inquiry)) == 20
