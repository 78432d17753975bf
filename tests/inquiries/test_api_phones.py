"""The API and the desktop's sync endpoint store phone numbers in E.164, read in the shop's
country, and casefolded e-mail addresses."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop
from tests.factories import inquiry_payload, make_shop, make_token, make_user


def _stored(session: Session) -> list[tuple[str | None, str | None]]:
    session.rollback()  # a fresh snapshot (MariaDB reads are repeatable within one)
    return [(i.phone, i.email) for i in session.scalars(select(Inquiry))]


def test_a_national_number_is_read_in_the_shops_country(
    client: TestClient, session: Session
) -> None:
    make_shop(session, slug="berlin", timezone="Europe/Berlin")  # DE, from its timezone

    response = client.post(
        "/api/v1/shops/berlin/inquiries",
        json=inquiry_payload(phone="030 1234567", email="Jamal.Brooks@Example.DE"),
    )

    assert response.status_code == 201, response.text
    assert (response.json()["phone"], response.json()["email"]) == (
        "+49301234567",
        "jamal.brooks@example.de",
    )
    assert _stored(session) == [("+49301234567", "jamal.brooks@example.de")]


def test_without_a_country_a_national_number_is_refused_and_an_international_one_kept(
    client: TestClient, session: Session
) -> None:
    make_shop(session, slug="nowhere", country=None)
    url = "/api/v1/shops/nowhere/inquiries"

    refused = client.post(url, json=inquiry_payload(phone="07700 900123", email=None))
    kept = client.post(url, json=inquiry_payload(phone="0044 7700 900123", email=None))

    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "phone": "Enter the phone number with its country code, like +44 7700 900123."
    }
    assert kept.status_code == 201
    assert _stored(session) == [("+447700900123", None)]


def test_an_impossible_number_gets_the_field_message_naming_the_country(
    client: TestClient, shop: Shop
) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(phone="0770 09")
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "phone": "Enter a phone number like 07400 123456 (Britain (UK)) "
        "or with its country code, like +44 7400 123456."
    }


def test_the_sync_endpoint_stores_e164_too(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    item = {
        "id": str(uuid.uuid4()),
        "captured_at": datetime(2026, 11, 20, 9, 30, tzinfo=UTC).isoformat(),
        "inquiry": inquiry_payload(phone="(07700) 900-123", email="ANA@X.EXAMPLE"),
    }

    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries/sync",
        json={"inquiries": [item]},
        headers=owner_headers,
    )

    assert [r["status"] for r in response.json()["results"]] == ["stored"]
    assert _stored(session) == [("+447700900123", "ana@x.example")]


def test_members_read_the_shops_country(client: TestClient, session: Session) -> None:
    berlin = make_shop(session, slug="berlin", timezone="Europe/Berlin")
    nowhere = make_shop(session, slug="nowhere", country=None)
    user = make_user(session, email="both@example.com", shops=[berlin, nowhere])
    headers = {"Authorization": f"Bearer {make_token(session, user)}"}

    countries = [
        client.get(f"/api/v1/shops/{slug}", headers=headers).json()["country"]
        for slug in ("berlin", "nowhere")
    ]

    assert countries == ["DE", None]
