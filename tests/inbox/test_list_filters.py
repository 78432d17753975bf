"""The inquiry list by status, assignee and search, alone, together and page by page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.inbox import transitions
from barberbot.models import Inquiry, Shop, User
from tests.factories import make_inquiry
from tests.inbox.conftest import errors_of

BASE = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def inbox(session: Session, shop: Shop, owner: User, staff: User) -> dict[str, Inquiry]:
    """Five inquiries: Ann new, Ben open and the owner's, Cy waiting and the staff's, Di
    closed, Ed spam."""
    made: dict[str, Inquiry] = {}
    people = [
        ("Ann Archer", "ann@example.com", "+44 7700 900111", "Skin fade on Saturday?"),
        ("Ben Baker", "ben@example.com", None, "Beard trim 50% off?"),
        ("Cy Cole", None, "+44 7700 900333", "Kids cut for my son_2"),
        ("Di Dean", "di@example.com", None, "Price of a shave"),
        ("Ed Eel", "ed@spam.example", None, "Cheap watches"),
    ]
    for n, (name, email, phone, message) in enumerate(people):
        made[name.split()[0]] = make_inquiry(
            session,
            shop=shop,
            customer_name=name,
            email=email,
            phone=phone,
            message=message,
            received_at=BASE + timedelta(hours=n),
        )
    transitions.change(session, shop, made["Ben"], owner, assignee=owner.id)
    transitions.change(session, shop, made["Cy"], owner, status="waiting", assignee=staff.id)
    transitions.change(session, shop, made["Di"], owner, status="closed", outcome="booked")
    transitions.change(session, shop, made["Ed"], owner, status="spam")
    session.commit()
    return made


def _names(client: TestClient, shop: Shop, headers: dict[str, str], params: Any) -> list[str]:
    response = client.get(f"/api/v1/shops/{shop.slug}/inquiries", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["customer_name"].split()[0] for item in response.json()["items"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Ed", "Di", "Cy", "Ben", "Ann"]),
        ({"status": "new"}, ["Ann"]),
        ([("status", "new"), ("status", "open"), ("status", "waiting")], ["Cy", "Ben", "Ann"]),
        ({"assignee": "me"}, ["Ben"]),
        ({"assignee": "none"}, ["Ed", "Di", "Ann"]),
        ({"q": "baker"}, ["Ben"]),  # names, without regard to case
        ({"q": "spam.example"}, ["Ed"]),  # e-mails
        ({"q": "saturday"}, ["Ann"]),  # messages
        ({"q": "07700 900333"}, ["Cy"]),  # a phone as typed in the shop's country
        ({"q": "+447700900111"}, ["Ann"]),
        ({"q": "%"}, []),  # punctuation alone is no word: nothing, never LIKE's "everything"
        ({"q": "_"}, []),
        ({"q": "  "}, ["Ed", "Di", "Cy", "Ben", "Ann"]),
        ({"q": "nobody at all"}, []),
        ([("status", "open"), ("status", "new"), ("q", "a")], ["Ben", "Ann"]),
    ],
)
def test_filters(
    client: TestClient,
    shop: Shop,
    owner_headers: dict[str, str],
    inbox: dict[str, Inquiry],
    params: Any,
    expected: list[str],
) -> None:
    assert _names(client, shop, owner_headers, params) == expected


def test_assignee_by_id_and_me_for_the_staff_member(
    client: TestClient,
    shop: Shop,
    staff: User,
    owner: User,
    staff_headers: dict[str, str],
    inbox: dict[str, Inquiry],
) -> None:
    assert _names(client, shop, staff_headers, {"assignee": "me"}) == ["Cy"]
    assert _names(client, shop, staff_headers, {"assignee": str(owner.id)}) == ["Ben"]


def test_filters_hold_across_pages(
    client: TestClient, shop: Shop, owner_headers: dict[str, str], inbox: dict[str, Inquiry]
) -> None:
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    params: Any = [("status", "new"), ("status", "spam"), ("limit", 1)]
    first = client.get(url, params=params, headers=owner_headers).json()
    cursor = first["next_cursor"]
    second = client.get(url, params=[*params, ("cursor", cursor)], headers=owner_headers).json()

    assert [i["customer_name"] for i in first["items"] + second["items"]] == [
        "Ed Eel",
        "Ann Archer",
    ]
    assert second["next_cursor"] is None


def test_the_filters_apply_to_the_export_too(
    client: TestClient, shop: Shop, owner_headers: dict[str, str], inbox: dict[str, Inquiry]
) -> None:
    response = client.get(
        f"/api/v1/shops/{shop.slug}/inquiries/export.csv",
        params={"assignee": "me"},
        headers=owner_headers,
    )

    assert response.status_code == 200
    assert "Ben Baker" in response.text
    assert "Ann Archer" not in response.text


def test_bad_filters_get_a_message_each(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    response = client.get(
        f"/api/v1/shops/{shop.slug}/inquiries",
        params=[
            ("status", "new"),
            ("status", "resolved"),
            ("assignee", "someone"),
            ("q", "x" * 201),
        ],
        headers=owner_headers,
    )

    errors = errors_of(response)
    assert errors["status"] == (
        "Unknown status 'resolved'; choose from new, open, waiting, booked, closed, spam."
    )
    assert errors["assignee"] == "A user's id, 'me' or 'none'."
    assert "200" in errors["q"]
