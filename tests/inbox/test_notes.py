"""Internal notes: kept with their author, on the timeline, and no longer than 2,000 characters."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, InquiryEvent, InquiryNote, Shop, User
from tests.inbox.conftest import errors_of, inquiry_url


def test_a_note_is_kept_with_its_author_and_is_on_the_timeline(
    client: TestClient,
    shop: Shop,
    inquiry: Inquiry,
    staff: User,
    staff_headers: dict[str, str],
) -> None:
    url = inquiry_url(shop, inquiry, "/notes")

    created = client.post(
        url, json={"body": "  Called him, no answer; try Friday.  "}, headers=staff_headers
    )
    listed = client.get(url, headers=staff_headers).json()
    timeline = client.get(inquiry_url(shop, inquiry, "/events"), headers=staff_headers).json()

    assert created.status_code == 201
    note = created.json()
    assert (note["body"], note["author_id"]) == ("Called him, no answer; try Friday.", staff.id)
    assert listed == [note]
    assert [(e["kind"], e["to_value"], e["actor_id"]) for e in timeline] == [
        ("note", str(note["id"]), staff.id)
    ]


def test_a_note_of_2000_characters_is_kept_and_one_more_is_refused(
    client: TestClient,
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    owner_headers: dict[str, str],
) -> None:
    url = inquiry_url(shop, inquiry, "/notes")

    kept = client.post(url, json={"body": "x" * 2000}, headers=owner_headers)
    refused = client.post(url, json={"body": "x" * 2001}, headers=owner_headers)

    assert kept.status_code == 201
    assert errors_of(refused) == {
        "body": "A note can be at most 2,000 characters; this one has 2,001."
    }
    assert session.scalar(select(func.count()).select_from(InquiryNote)) == 1
    assert session.scalar(select(func.count()).select_from(InquiryEvent)) == 1


def test_an_empty_or_missing_note_is_refused(
    client: TestClient, shop: Shop, inquiry: Inquiry, owner_headers: dict[str, str]
) -> None:
    url = inquiry_url(shop, inquiry, "/notes")

    assert errors_of(client.post(url, json={"body": "   "}, headers=owner_headers)) == {
        "body": "Write something in the note."
    }
    assert "body" in errors_of(client.post(url, json={}, headers=owner_headers))
