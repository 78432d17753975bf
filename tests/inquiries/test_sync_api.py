"""The sync endpoint the desktop app uploads to: each inquiry under its own id, once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop
from tests.factories import inquiry_payload, make_inquiry, make_shop, make_token, make_user

URL = "/api/v1/shops/kings-cuts/inquiries/sync"
CAPTURED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _item(inquiry_id: uuid.UUID | None = None, **overrides: Any) -> dict[str, Any]:
    return {
        "id": str(inquiry_id or uuid.uuid4()),
        "captured_at": CAPTURED.isoformat(),
        "inquiry": inquiry_payload(**overrides),
    }


def _count(session: Session) -> int:
    session.rollback()  # a fresh snapshot (MariaDB reads are repeatable within one)
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


def test_stores_each_inquiry_under_its_own_id_time_and_source(
    client: TestClient, session: Session, owner_headers: dict[str, str]
) -> None:
    first, second = _item(), _item(customer_name="Ana Lima")

    response = client.post(URL, json={"inquiries": [first, second]}, headers=owner_headers)

    assert response.status_code == 200, response.text
    assert [r["status"] for r in response.json()["results"]] == ["stored", "stored"]
    stored = session.get(Inquiry, uuid.UUID(first["id"]))
    assert stored is not None
    assert stored.received_at == CAPTURED
    assert stored.source == "desktop"
    assert _count(session) == 2


def test_sending_the_same_batch_again_stores_nothing_twice(
    client: TestClient, session: Session, owner_headers: dict[str, str]
) -> None:
    batch = {"inquiries": [_item(), _item(customer_name="Ana Lima")]}
    client.post(URL, json=batch, headers=owner_headers)

    again = client.post(URL, json=batch, headers=owner_headers)

    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "duplicate"]
    assert _count(session) == 2


def test_an_inquiry_imported_earlier_under_the_same_id_is_a_duplicate(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    existing = make_inquiry(session, shop=shop)

    response = client.post(URL, json={"inquiries": [_item(existing.id)]}, headers=owner_headers)

    assert response.json()["results"][0]["status"] == "duplicate"
    assert _count(session) == 1


def test_a_refused_inquiry_does_not_hold_back_the_others(
    client: TestClient, session: Session, owner_headers: dict[str, str]
) -> None:
    good, bad = _item(), _item(age="twelve", inquiry_type="tattoo")

    response = client.post(URL, json={"inquiries": [bad, good]}, headers=owner_headers)

    refused, stored = response.json()["results"]
    assert refused["status"] == "rejected"
    assert refused["errors"]["age"] == "Age must be a whole number, like 34."
    assert refused["errors"]["inquiry_type"].startswith("Choose one of: Haircut")
    assert stored["status"] == "stored"
    assert _count(session) == 1


def test_a_capture_time_in_the_future_becomes_the_time_received(
    client: TestClient, session: Session, owner_headers: dict[str, str]
) -> None:
    item = _item()
    item["captured_at"] = (datetime.now(UTC) + timedelta(days=2)).isoformat()

    client.post(URL, json={"inquiries": [item]}, headers=owner_headers)

    stored = session.get(Inquiry, uuid.UUID(item["id"]))
    assert stored is not None
    assert stored.received_at <= datetime.now(UTC)


def test_needs_a_token_of_a_member_of_the_shop(
    client: TestClient, session: Session, shop: Shop
) -> None:
    other_shop = make_shop(session, slug="other")
    outsider = make_user(session, email="outsider@example.com", shops=[other_shop])
    outsider_headers = {"Authorization": f"Bearer {make_token(session, outsider)}"}
    batch = {"inquiries": [_item()]}

    assert client.post(URL, json=batch).status_code == 401
    assert client.post(URL, json=batch, headers=outsider_headers).status_code == 404
    assert _count(session) == 0


def test_batch_shape_errors_are_specific_and_store_nothing(
    client: TestClient, session: Session, owner_headers: dict[str, str]
) -> None:
    too_many: dict[str, list[dict[str, Any]]] = {"inquiries": [_item() for _ in range(101)]}
    naive_time: dict[str, list[dict[str, Any]]] = {
        "inquiries": [{**_item(), "captured_at": "2026-11-20T09:30:00"}]
    }

    empty: dict[str, list[dict[str, Any]]] = {"inquiries": []}
    for body in (too_many, naive_time, empty):
        response = client.post(URL, json=body, headers=owner_headers)
        assert response.status_code == 422, response.text
    errors = client.post(URL, json=naive_time, headers=owner_headers).json()["errors"]
    assert errors == {"inquiries.0.captured_at": "Input should have timezone info"}
    assert _count(session) == 0


def test_the_shop_endpoint_lists_its_inquiry_types(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    response = client.get("/api/v1/shops/kings-cuts", headers=owner_headers)

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "King's Cuts"
    assert {"key": "beard_trim", "label": "Beard trim"} in body["inquiry_types"]
