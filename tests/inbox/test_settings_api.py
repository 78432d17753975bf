"""The inbox settings in the API: owners turn the acknowledgement on or off, each member
chooses how they hear of inquiries; another shop answers 404."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.inbox.preferences import settings_of
from barberbot.models import Shop, User
from tests.factories import make_shop, make_user
from tests.inbox.conftest import bearer, errors_of


def url(shop: Shop, suffix: str = "") -> str:
    return f"/api/v1/shops/{shop.slug}/inbox-settings{suffix}"


def test_the_acknowledgement_is_on_by_default_and_owners_turn_it_off_and_on(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    assert client.get(url(shop), headers=owner_headers).json() == {
        "acknowledge": True,
        "answer_within_hours": 4,
    }
    off = {"acknowledge": False, "answer_within_hours": 2}
    assert client.put(url(shop), json=off, headers=owner_headers).json() == off
    session.rollback()
    before = settings_of(session, shop).acknowledge_since
    on = {"acknowledge": True, "answer_within_hours": 2}
    assert client.put(url(shop), json=on, headers=owner_headers).status_code == 200
    session.rollback()
    marks = settings_of(session, shop)
    session.refresh(marks)
    assert (marks.acknowledge, marks.answer_within_hours) == (True, 2)
    assert marks.acknowledge_since > before  # turned on again: only inquiries from now on


def test_staff_cannot_change_the_shops_acknowledgement_and_bad_hours_are_refused(
    client: TestClient, shop: Shop, owner_headers: dict[str, str], staff_headers: dict[str, str]
) -> None:
    body = {"acknowledge": False, "answer_within_hours": 4}
    assert client.put(url(shop), json=body, headers=staff_headers).status_code == 403
    bad = client.put(
        url(shop), json={"acknowledge": True, "answer_within_hours": 0}, headers=owner_headers
    )
    assert "answer_within_hours" in errors_of(bad)


def test_each_member_chooses_how_they_hear_of_inquiries(
    client: TestClient, shop: Shop, owner_headers: dict[str, str], staff_headers: dict[str, str]
) -> None:
    assert client.get(url(shop, "/me"), headers=owner_headers).json() == {"notify": "each"}
    assert client.get(url(shop, "/me"), headers=staff_headers).json() == {"notify": "digest"}
    changed = client.put(url(shop, "/me"), json={"notify": "none"}, headers=staff_headers)
    assert changed.json() == {"notify": "none"}
    assert client.get(url(shop, "/me"), headers=staff_headers).json() == {"notify": "none"}
    assert client.get(url(shop, "/me"), headers=owner_headers).json() == {"notify": "each"}
    assert "notify" in errors_of(
        client.put(url(shop, "/me"), json={"notify": "loud"}, headers=owner_headers)
    )


def test_another_shops_settings_answer_404(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    other = make_shop(session, slug="other-cuts", name="Other Cuts")
    stranger = bearer(session, make_user(session, email="them@other.example", shops=[other]))
    for path in ("", "/me"):
        assert client.get(url(shop, path), headers=stranger).status_code == 404
    body = {"acknowledge": False, "answer_within_hours": 4}
    assert client.put(url(shop), json=body, headers=stranger).status_code == 404
    assert (
        client.put(url(shop, "/me"), json={"notify": "none"}, headers=stranger).status_code == 404
    )
