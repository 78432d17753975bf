"""Ids no row can have (above what an id column holds) are refused or not found, never a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop
from tests.inbox.conftest import errors_of, inquiry_url, saved_url

HUGE = 2**70


def test_ids_too_big_for_any_row(
    client: TestClient,
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    owner_headers: dict[str, str],
) -> None:
    assigned = client.patch(
        inquiry_url(shop, inquiry), json={"assignee": HUGE}, headers=owner_headers
    )
    listed = client.get(
        f"/api/v1/shops/{shop.slug}/inquiries",
        params={"assignee": str(HUGE)},
        headers=owner_headers,
    )
    replied = client.post(
        inquiry_url(shop, inquiry, "/replies"), json={"saved_reply_id": HUGE}, headers=owner_headers
    )
    deleted = client.delete(saved_url(shop, f"/{HUGE}"), headers=owner_headers)

    assert set(errors_of(assigned)) == {"assignee"}
    assert set(errors_of(listed)) == {"assignee"}
    assert set(errors_of(replied)) == {"saved_reply_id"}
    assert deleted.status_code == 422
