"""API tokens: made on the account page with an expiry, revoked there, refused with a reason."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.auth import tokens
from barberbot.models import ApiToken, Shop, User
from tests.auth.conftest import Clock, post_form, sign_in
from tests.factories import make_token, make_user


def _make(client: TestClient, name: str, expires: str = "") -> str:
    """The token the account page shows once."""
    data = {"token_name": name, "expires": expires}
    page = post_form(client, "/account", "/account/tokens", data)
    assert page.status_code == 200
    found = re.search(r'id="new-token-value" readonly value="(bbt_[^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def _api(client: TestClient, shop: Shop, token: str) -> tuple[int, str]:
    response = client.get(
        f"/api/v1/shops/{shop.slug}/inquiries", headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code, response.json().get("detail", "")


def test_a_token_made_on_the_account_page_works_until_it_expires(
    client: TestClient, session: Session, clock: Clock, shop: Shop, owner: User
) -> None:
    sign_in(client, owner.email)
    token = _make(client, "Front counter", expires="30")
    api = TestClient(client.app)  # no cookie: the token only

    assert _api(api, shop, token)[0] == 200
    clock.advance(days=30)
    status, detail = _api(api, shop, token)

    assert status == 401
    assert detail == (
        "That API token (Front counter) expired on 1 Jan 2027. "
        "Make a new one under Account → API tokens."
    )
    sign_in(client, owner.email)  # the session, 14 days long, ended meanwhile
    page = client.get("/account").text
    assert re.search(r"<strong>Front counter</strong> <span[^>]*>Expired</span>", page)
    assert token not in page  # shown once, never again


def test_a_revoked_token_is_refused_at_once_with_the_reason(
    client: TestClient, session: Session, clock: Clock, shop: Shop, owner: User
) -> None:
    sign_in(client, owner.email)
    token = make_token(session, owner, "Old laptop")
    [record] = session.scalars(select(ApiToken)).all()
    assert _api(client, shop, token)[0] == 200

    done = post_form(client, "/account", f"/account/tokens/{record.id}/revoke", {})

    assert done.headers["location"] == "/account?done=revoked"
    assert _api(TestClient(client.app), shop, token) == (
        401,
        "That API token (Old laptop) was revoked. Make a new one under Account → API tokens.",
    )
    capture = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries",
        json={},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert capture.status_code == 401  # on the capture path too
    assert "was revoked" in capture.json()["detail"]


def test_another_users_token_cannot_be_revoked(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    other = make_user(session, email="other@example.com", shops=[shop])
    make_token(session, other, "Theirs")
    [theirs] = session.scalars(select(ApiToken)).all()
    sign_in(client, owner.email)

    response = post_form(client, "/account", f"/account/tokens/{theirs.id}/revoke", {})

    assert response.status_code == 404
    session.refresh(theirs)
    assert theirs.revoked_at is None


def test_last_use_is_written_at_most_once_a_minute(
    session: Session, clock: Clock, owner: User
) -> None:
    token = make_token(session, owner)
    first = clock.now

    tokens.check(session, token, first)
    tokens.check(session, token, first + timedelta(seconds=59))
    [record] = session.scalars(select(ApiToken)).all()
    assert record.last_used_at == first
    tokens.check(session, token, first + timedelta(minutes=1))
    assert record.last_used_at == first + timedelta(minutes=1)


def test_a_token_form_with_no_name_is_refused_beside_the_field(
    client: TestClient, owner: User
) -> None:
    sign_in(client, owner.email)

    page = post_form(client, "/account", "/account/tokens", {"token_name": " ", "expires": "7"})

    assert page.status_code == 422
    assert "Say what the token is for" in page.text
    assert "Choose one of the listed expiries." in page.text
