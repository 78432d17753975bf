"""Statuses, outcomes and assignees through PATCH: the rules, their messages, their events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, InquiryEvent, Shop, User
from tests.factories import inquiry_payload, make_shop, make_user
from tests.inbox.conftest import errors_of, inquiry_url


def _events(client: TestClient, shop: Shop, inquiry: Inquiry, headers: dict[str, str]) -> Any:
    response = client.get(inquiry_url(shop, inquiry, "/events"), headers=headers)
    assert response.status_code == 200
    return [
        (e["kind"], e["from_value"], e["to_value"], e["detail"], e["actor_id"])
        for e in response.json()
    ]


def _patch(
    client: TestClient, shop: Shop, inquiry: Inquiry, headers: dict[str, str], **body: Any
) -> Any:
    return client.patch(inquiry_url(shop, inquiry), json=body, headers=headers)


def _event_count(session: Session) -> int:
    session.rollback()  # a fresh look: MariaDB's repeatable read would show the first again
    return session.scalar(select(func.count()).select_from(InquiryEvent)) or 0


def test_a_captured_inquiry_starts_new_with_nobody_on_it(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    created = client.post(f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload())
    read = client.get(inquiry_url(shop, created.json()["id"]), headers=owner_headers).json()

    assert created.status_code == 201
    for body in (created.json(), read):
        assert (body["status"], body["outcome"], body["assignee_id"]) == ("new", None, None)


def test_a_status_change_is_an_event_with_who_from_and_to(
    client: TestClient,
    shop: Shop,
    inquiry: Inquiry,
    staff: User,
    staff_headers: dict[str, str],
) -> None:
    response = _patch(client, shop, inquiry, staff_headers, status="open")

    assert response.status_code == 200
    assert response.json()["status"] == "open"
    [event] = client.get(inquiry_url(shop, inquiry, "/events"), headers=staff_headers).json()
    assert (event["kind"], event["from_value"], event["to_value"]) == ("status", "new", "open")
    assert event["actor_id"] == staff.id
    assert datetime.fromisoformat(event["at"]) >= inquiry.received_at


def test_closing_needs_an_outcome_and_nothing_changes_without_one(
    client: TestClient,
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    owner_headers: dict[str, str],
) -> None:
    errors = errors_of(_patch(client, shop, inquiry, owner_headers, status="closed"))

    assert set(errors) == {"outcome"}
    assert "booked, not_interested, no_answer, duplicate" in errors["outcome"]
    session.expire_all()
    assert session.get_one(Inquiry, inquiry.id).status == "new"
    assert _event_count(session) == 0


def test_closing_keeps_the_outcome_and_leaving_closed_forgets_it(
    client: TestClient, shop: Shop, inquiry: Inquiry, owner: User, owner_headers: dict[str, str]
) -> None:
    closed = _patch(client, shop, inquiry, owner_headers, status="closed", outcome="no_answer")
    changed = _patch(client, shop, inquiry, owner_headers, outcome="booked")  # stays closed
    reopened = _patch(client, shop, inquiry, owner_headers, status="waiting")

    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "no_answer")
    assert (changed.json()["status"], changed.json()["outcome"]) == ("closed", "booked")
    assert (reopened.json()["status"], reopened.json()["outcome"]) == ("waiting", None)
    assert _events(client, shop, inquiry, owner_headers) == [
        ("status", "new", "closed", "no_answer", owner.id),
        ("status", "closed", "closed", "booked", owner.id),
        ("status", "closed", "waiting", None, owner.id),
    ]


def test_an_outcome_without_closing_is_refused(
    client: TestClient, shop: Shop, inquiry: Inquiry, owner_headers: dict[str, str]
) -> None:
    alone = errors_of(_patch(client, shop, inquiry, owner_headers, outcome="booked"))
    with_open = errors_of(
        _patch(client, shop, inquiry, owner_headers, status="open", outcome="booked")
    )

    assert alone == with_open
    assert "Only a closed inquiry has an outcome" in alone["outcome"]


def test_an_opened_inquiry_cannot_go_back_to_new(
    client: TestClient,
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    owner_headers: dict[str, str],
) -> None:
    still_new = _patch(client, shop, inquiry, owner_headers, status="new")  # no change at all
    assert still_new.status_code == 200
    assert _event_count(session) == 0
    _patch(client, shop, inquiry, owner_headers, status="spam")

    errors = errors_of(_patch(client, shop, inquiry, owner_headers, status="new"))

    assert "cannot go back to new" in errors["status"]
    assert _event_count(session) == 1


def test_unknown_statuses_and_outcomes_name_the_allowed_values(
    client: TestClient, shop: Shop, inquiry: Inquiry, owner_headers: dict[str, str]
) -> None:
    errors = errors_of(
        _patch(client, shop, inquiry, owner_headers, status="resolved", outcome="sold")
    )

    assert errors == {
        "status": "Unknown status 'resolved'; choose from new, open, waiting, booked, closed, "
        "spam.",
        "outcome": "Unknown outcome 'sold'; choose from booked, not_interested, no_answer, "
        "duplicate.",
    }


def test_an_unknown_field_is_refused(
    client: TestClient, shop: Shop, inquiry: Inquiry, owner_headers: dict[str, str]
) -> None:
    errors = errors_of(_patch(client, shop, inquiry, owner_headers, state="open"))

    assert errors == {"state": "Unknown field."}


def test_assigning_a_new_inquiry_opens_it_and_unassigning_leaves_it_open(
    client: TestClient,
    shop: Shop,
    inquiry: Inquiry,
    owner: User,
    staff: User,
    owner_headers: dict[str, str],
) -> None:
    assigned = _patch(client, shop, inquiry, owner_headers, assignee=staff.id)
    unassigned = _patch(client, shop, inquiry, owner_headers, assignee=None)

    assert (assigned.json()["assignee_id"], assigned.json()["status"]) == (staff.id, "open")
    assert (unassigned.json()["assignee_id"], unassigned.json()["status"]) == (None, "open")
    assert _events(client, shop, inquiry, owner_headers) == [
        ("assigned", None, str(staff.id), None, owner.id),
        ("status", "new", "open", None, owner.id),
        ("assigned", str(staff.id), None, None, owner.id),
    ]


def test_assigning_a_waiting_inquiry_keeps_its_status(
    client: TestClient, shop: Shop, inquiry: Inquiry, staff: User, owner_headers: dict[str, str]
) -> None:
    _patch(client, shop, inquiry, owner_headers, status="waiting")

    response = _patch(client, shop, inquiry, owner_headers, assignee=staff.id)

    assert response.json()["status"] == "waiting"


def test_only_members_of_the_shop_can_be_assigned(
    client: TestClient,
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    owner_headers: dict[str, str],
) -> None:
    rival = make_shop(session, slug="rival", name="Rival")
    outsider = make_user(session, email="boss@rival.example", shops=[rival])

    for assignee in (outsider.id, 999_999):
        errors = errors_of(_patch(client, shop, inquiry, owner_headers, assignee=assignee))
        assert errors == {
            "assignee": "This person is not a member of this shop; assign one who is."
        }
    session.expire_all()
    assert session.get_one(Inquiry, inquiry.id).assignee_id is None


def test_a_refused_change_changes_nothing_of_what_came_with_it(
    client: TestClient,
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    staff: User,
    owner_headers: dict[str, str],
) -> None:
    response = _patch(client, shop, inquiry, owner_headers, assignee=staff.id, status="closed")

    assert set(errors_of(response)) == {"outcome"}
    session.expire_all()
    stored = session.get_one(Inquiry, inquiry.id)
    assert (stored.status, stored.assignee_id) == ("new", None)
    assert _event_count(session) == 0


def test_a_removed_user_leaves_their_inquiries_with_nobody(
    client: TestClient,
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    staff: User,
    owner_headers: dict[str, str],
) -> None:
    _patch(client, shop, inquiry, owner_headers, assignee=staff.id)

    session.execute(delete(User).where(User.id == staff.id))
    session.commit()

    session.expire_all()
    stored = session.get_one(Inquiry, inquiry.id)
    assert (stored.status, stored.assignee_id) == ("open", None)
