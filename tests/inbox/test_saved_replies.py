"""Saved replies: the shop's own templates, checked like a campaign's, filled in per inquiry."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.inbox import saved_replies
from barberbot.models import Inquiry, SavedReply, Shop
from tests.factories import make_inquiry
from tests.inbox.conftest import errors_of, saved_url

SATURDAY = (
    "Thanks {{ first_name }}, we have Saturday 10:30 free for your {{ inquiry_type | lower }}."
)


def test_saved_replies_are_created_listed_replaced_and_deleted_by_staff_too(
    client: TestClient, shop: Shop, staff_headers: dict[str, str]
) -> None:
    created = client.post(
        saved_url(shop), json={"name": "Saturday", "body": SATURDAY}, headers=staff_headers
    )
    reply_id = created.json()["id"]
    client.post(
        saved_url(shop),
        json={"name": "Address", "body": "We are at 1 High St."},
        headers=staff_headers,
    )

    replaced = client.put(
        saved_url(shop, f"/{reply_id}"),
        json={"name": "Saturday morning", "body": "See you Saturday, {{ name }}."},
        headers=staff_headers,
    )
    listed = client.get(saved_url(shop), headers=staff_headers).json()
    deleted = client.delete(saved_url(shop, f"/{reply_id}"), headers=staff_headers)
    after = client.get(saved_url(shop), headers=staff_headers).json()

    assert created.status_code == 201
    assert replaced.status_code == 200
    assert replaced.json()["updated_at"] >= created.json()["updated_at"]
    assert [r["name"] for r in listed] == ["Address", "Saturday morning"]  # by name
    assert deleted.status_code == 204
    assert [r["name"] for r in after] == ["Address"]


def test_an_unknown_field_is_named_with_the_fields_there_are(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    response = client.post(
        saved_url(shop),
        json={"name": "Promo", "body": "Hi {{ first_name }}, use {{ promo_code }}!"},
        headers=owner_headers,
    )

    assert errors_of(response) == {
        "body": "Unknown field 'promo_code'; you can use: first_name, name, shop_name, "
        "inquiry_type."
    }


def test_bad_saved_replies_get_a_message_per_field(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    client.post(saved_url(shop), json={"name": "Saturday", "body": SATURDAY}, headers=owner_headers)

    broken = client.post(
        saved_url(shop), json={"name": "", "body": "Hi {{ first_name"}, headers=owner_headers
    )
    taken = client.post(
        saved_url(shop), json={"name": " saturday ", "body": "Hello"}, headers=owner_headers
    )
    too_long = client.post(
        saved_url(shop), json={"name": "Long", "body": "x" * 5001}, headers=owner_headers
    )
    looping = client.post(
        saved_url(shop),
        json={"name": "Loop", "body": "{% for x in name %}{{ x }}{% endfor %}"},
        headers=owner_headers,
    )

    assert set(errors_of(broken)) == {"name", "body"}
    assert errors_of(broken)["body"].startswith("Line 1:")
    assert errors_of(taken) == {"name": "There is already a saved reply called 'saturday'."}
    assert errors_of(too_long) == {"body": "Keep the reply under 5,000 characters."}
    assert "loop" in errors_of(looping)["body"].lower()
    assert len(client.get(saved_url(shop), headers=owner_headers).json()) == 1


def test_a_saved_reply_keeps_its_own_name_when_replaced(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    made = client.post(
        saved_url(shop), json={"name": "Saturday", "body": SATURDAY}, headers=owner_headers
    ).json()

    response = client.put(
        saved_url(shop, f"/{made['id']}"),
        json={"name": "Saturday", "body": "Saturday it is."},
        headers=owner_headers,
    )

    assert response.status_code == 200
    assert response.json()["body"] == "Saturday it is."


def test_a_saved_reply_is_filled_in_for_an_inquiry(session: Session, shop: Shop) -> None:
    inquiry: Inquiry = make_inquiry(
        session, shop=shop, customer_name="Jamal Brooks", inquiry_type="beard_trim"
    )
    reply = saved_replies.create(
        session, shop, "Saturday", SATURDAY + " {{ name }} at {{ shop_name }}."
    )
    session.commit()

    text = saved_replies.render(shop, reply, inquiry)

    assert text == (
        "Thanks Jamal, we have Saturday 10:30 free for your beard trim. "
        "Jamal Brooks at King's Cuts."
    )
    assert isinstance(reply, SavedReply)


def test_missing_fields_are_named_and_still_documented_as_required(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    response = client.post(saved_url(shop), json={}, headers=owner_headers)
    spec = client.get("/openapi.json").json()["components"]["schemas"]

    assert errors_of(response) == {
        "name": "Give the saved reply a name of 1 to 120 characters.",
        "body": "Write the text of the reply.",
    }
    assert spec["SavedReplyCreate"]["required"] == ["name", "body"]
    assert spec["NoteCreate"]["required"] == ["body"]
