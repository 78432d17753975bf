"""Replies: queued by e-mail (or SMS with only a phone), on the timeline, the inquiry waiting."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from barberbot.inbox import saved_replies
from barberbot.models import Inquiry, InquiryEvent, InquiryReply, Shop, User
from tests.factories import make_inquiry, make_shop
from tests.inbox.conftest import errors_of, inquiry_url, saved_url


def _reply(
    client: TestClient, shop: Shop, inquiry: Inquiry, headers: dict[str, str], **body: Any
) -> Any:
    return client.post(inquiry_url(shop, inquiry, "/replies"), json=body, headers=headers)


def _kinds(client: TestClient, shop: Shop, inquiry: Inquiry, headers: dict[str, str]) -> Any:
    events = client.get(inquiry_url(shop, inquiry, "/events"), headers=headers).json()
    return [(e["kind"], e["from_value"], e["to_value"], e["detail"]) for e in events]


def test_a_reply_is_queued_by_email_and_the_inquiry_waits_on_the_customer(
    client: TestClient,
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    staff: User,
    staff_headers: dict[str, str],
) -> None:
    response = _reply(client, shop, inquiry, staff_headers, body="Saturday 10:30 is yours.")

    assert response.status_code == 201
    reply = response.json()
    assert {k: reply[k] for k in ("channel", "subject", "body", "status", "created_by")} == {
        "channel": "email",
        "subject": "Your message to King's Cuts",
        "body": "Saturday 10:30 is yours.",
        "status": "queued",
        "created_by": staff.id,
    }
    assert (reply["error"], reply["sent_at"]) == (None, None)
    assert client.get(inquiry_url(shop, inquiry, "/replies"), headers=staff_headers).json() == [
        reply
    ]
    assert client.get(inquiry_url(shop, inquiry), headers=staff_headers).json()["status"] == (
        "waiting"
    )
    assert _kinds(client, shop, inquiry, staff_headers) == [
        ("reply", None, str(reply["id"]), "email"),
        ("status", "new", "waiting", None),
    ]


def test_with_only_a_phone_the_reply_is_an_sms(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    inquiry = make_inquiry(session, shop=shop, email=None, phone="+44 7700 900123")

    response = _reply(client, shop, inquiry, owner_headers, body="See you!", subject="Ignored")

    assert (response.json()["channel"], response.json()["subject"]) == ("sms", "")
    too_long = _reply(client, shop, inquiry, owner_headers, body="x" * 641)
    assert errors_of(too_long) == {"body": "Keep the text message under 640 characters."}


def test_an_inquiry_without_email_or_phone_cannot_be_replied_to(
    client: TestClient,
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    owner_headers: dict[str, str],
) -> None:
    # the customer's contact details erased on their request
    session.execute(update(Inquiry).where(Inquiry.id == inquiry.id).values(email=None, phone=None))
    session.commit()

    errors = errors_of(_reply(client, shop, inquiry, owner_headers, body="Hello?"))

    assert errors == {"contact": "This inquiry has no e-mail or phone to reply to."}
    session.expire_all()
    assert session.get_one(Inquiry, inquiry.id).status == "new"
    assert session.scalar(select(func.count()).select_from(InquiryReply)) == 0
    assert session.scalar(select(func.count()).select_from(InquiryEvent)) == 0


def test_a_saved_reply_is_filled_in_for_the_customer(
    client: TestClient, shop: Shop, inquiry: Inquiry, owner_headers: dict[str, str]
) -> None:
    saved = client.post(
        saved_url(shop),
        json={"name": "Saturday", "body": "Thanks {{ first_name }}, Saturday 10:30 is free."},
        headers=owner_headers,
    ).json()

    response = _reply(
        client, shop, inquiry, owner_headers, saved_reply_id=saved["id"], subject="Saturday"
    )

    assert response.status_code == 201
    assert (response.json()["subject"], response.json()["body"]) == (
        "Saturday",
        "Thanks Jamal, Saturday 10:30 is free.",
    )


def test_a_reply_needs_a_body_or_a_saved_reply_of_this_shop(
    client: TestClient,
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    owner_headers: dict[str, str],
) -> None:
    saved = client.post(
        saved_url(shop), json={"name": "Hi", "body": "Hi"}, headers=owner_headers
    ).json()
    rival = make_shop(session, slug="rival", name="Rival")
    theirs = saved_replies.create(session, rival, "Theirs", "Theirs")
    session.commit()

    neither = _reply(client, shop, inquiry, owner_headers)
    both = _reply(client, shop, inquiry, owner_headers, body="Hi", saved_reply_id=saved["id"])
    other_shops = _reply(client, shop, inquiry, owner_headers, saved_reply_id=theirs.id)
    long_subject = _reply(client, shop, inquiry, owner_headers, body="Hi", subject="s" * 201)

    assert errors_of(neither) == {"body": "Write a reply, or choose a saved reply."}
    assert errors_of(both) == {"body": "Write a reply or choose a saved reply, not both."}
    assert errors_of(other_shops) == {"saved_reply_id": "No such saved reply in this shop."}
    assert errors_of(long_subject) == {"subject": "Keep the subject under 200 characters."}


def test_replying_to_a_closed_inquiry_reopens_it_as_waiting(
    client: TestClient, shop: Shop, inquiry: Inquiry, owner_headers: dict[str, str]
) -> None:
    client.patch(
        inquiry_url(shop, inquiry),
        json={"status": "closed", "outcome": "no_answer"},
        headers=owner_headers,
    )

    _reply(client, shop, inquiry, owner_headers, body="Still interested?")

    read = client.get(inquiry_url(shop, inquiry), headers=owner_headers).json()
    assert (read["status"], read["outcome"]) == ("waiting", None)


def test_a_second_reply_while_waiting_adds_no_status_event(
    client: TestClient, shop: Shop, inquiry: Inquiry, owner_headers: dict[str, str]
) -> None:
    _reply(client, shop, inquiry, owner_headers, body="One")
    _reply(client, shop, inquiry, owner_headers, body="Two")

    kinds = [kind for kind, *_ in _kinds(client, shop, inquiry, owner_headers)]
    assert kinds == ["reply", "status", "reply"]
