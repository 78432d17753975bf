from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.models import IdempotencyKey, Inquiry, Shop
from tests.factories import inquiry_payload


def _count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


def test_create_returns_201_with_the_stored_inquiry(
    client: TestClient, shop: Shop, session: Session
) -> None:
    response = client.post(f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload())

    assert response.status_code == 201
    body = response.json()
    stored = session.get(Inquiry, uuid.UUID(body["id"]))
    assert stored is not None
    assert stored.customer_name == body["customer_name"] == "Jamal Brooks"
    assert stored.source == body["source"] == "api"
    assert stored.phone == "+447700900123"
    assert response.headers["location"].endswith(body["id"])


def test_consent_keeps_time_and_exact_text(client: TestClient, shop: Shop) -> None:
    body = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(marketing_consent=True)
    ).json()

    assert body["consent_at"] == body["received_at"]
    assert body["consent_text"] == shop.effective_consent_text()
    assert "King's Cuts" in body["consent_text"]


def test_no_consent_stores_no_consent_evidence(client: TestClient, shop: Shop) -> None:
    body = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(marketing_consent=False)
    ).json()

    assert body["marketing_consent"] is False
    assert body["consent_at"] is None
    assert body["consent_text"] is None


def test_invalid_fields_get_422_with_a_message_per_field(
    client: TestClient, shop: Shop, session: Session
) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries",
        json=inquiry_payload(age=300, gender="robot", email="not-an-email"),
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"age", "gender", "email"}
    assert "between 1 and 120" in errors["age"]
    assert _count(session) == 0


def test_unknown_inquiry_type_for_the_shop_is_422(
    client: TestClient, shop: Shop, session: Session
) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(inquiry_type="tattoo")
    )

    assert response.status_code == 422
    assert "Haircut" in response.json()["errors"]["inquiry_type"]
    assert _count(session) == 0


def test_missing_contact_is_422(client: TestClient, shop: Shop) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(phone=None, email="")
    )

    assert response.status_code == 422
    assert "phone number or an e-mail" in response.json()["errors"]["contact"]


def test_malformed_json_is_422_on_body(client: TestClient, shop: Shop) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {"body": "The request body is not valid JSON."}


def test_unknown_shop_is_404(client: TestClient) -> None:
    response = client.post("/api/v1/shops/nowhere/inquiries", json=inquiry_payload())

    assert response.status_code == 404
    assert response.json() == {"detail": "Unknown shop 'nowhere'."}


def test_body_over_the_limit_is_413_and_nothing_is_stored(
    client: TestClient, shop: Shop, session: Session
) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(message="x" * 100_000)
    )

    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    assert _count(session) == 0


def test_idempotent_retry_returns_the_first_result(
    client: TestClient, shop: Shop, session: Session
) -> None:
    headers = {"Idempotency-Key": "desk-42"}
    url = f"/api/v1/shops/{shop.slug}/inquiries"

    first = client.post(url, json=inquiry_payload(), headers=headers)
    second = client.post(url, json=inquiry_payload(), headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert _count(session) == 1


def test_idempotency_key_reused_for_another_inquiry_is_409(
    client: TestClient, shop: Shop, session: Session
) -> None:
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    client.post(url, json=inquiry_payload(), headers={"Idempotency-Key": "k1"})

    response = client.post(
        url, json=inquiry_payload(customer_name="Someone Else"), headers={"Idempotency-Key": "k1"}
    )

    assert response.status_code == 409
    assert _count(session) == 1
    assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_accents_and_emoji_survive_the_round_trip(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    name = "Zoë Łukasiewicz-Núñez 💈✂️"
    created = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries",
        json=inquiry_payload(customer_name=name, message="Danke schön 🙏 — 今日は"),
    ).json()

    fetched = client.get(
        f"/api/v1/shops/{shop.slug}/inquiries/{created['id']}", headers=owner_headers
    ).json()

    assert fetched["customer_name"] == name
    assert fetched["message"] == "Danke schön 🙏 — 今日は"
