"""The web form stores phone numbers in E.164 and says how to write one in the shop's country."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop
from tests.factories import inquiry_payload


def _form(**overrides: object) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in inquiry_payload(**overrides).items()}


def test_a_national_number_is_stored_in_e164(
    client: TestClient, shop: Shop, session: Session
) -> None:
    response = client.post(
        f"/s/{shop.slug}/inquire",
        data=_form(phone="07700 900-123", email="Jamal@Example.COM"),
        follow_redirects=False,
    )

    assert response.status_code == 303
    session.expire_all()
    stored = session.scalars(select(Inquiry)).one()
    assert (stored.phone, stored.email) == ("+447700900123", "jamal@example.com")


def test_an_impossible_number_is_explained_beside_the_field(
    client: TestClient, shop: Shop, session: Session
) -> None:
    response = client.post(f"/s/{shop.slug}/inquire", data=_form(phone="07700 9OO123"))

    assert response.status_code == 422
    assert 'id="phone-error"' in response.text
    assert (
        "Enter a phone number like 07400 123456 (Britain (UK)) or with its country code, "
        "like +44 7400 123456." in response.text
    )
    assert 'value="07700 9OO123"' in response.text  # kept as typed
    session.expire_all()
    assert session.scalars(select(Inquiry)).all() == []
