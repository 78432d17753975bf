"""Server-side sessions: signing out, a password change and "sign out everywhere" end them."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from barberbot.auth import sessions
from barberbot.core.db import Database
from barberbot.models import Shop, User, UserSession
from tests.auth.conftest import csrf, post_form, sign_in
from tests.factories import PASSWORD, inquiry_payload


@pytest.fixture
def second(app: FastAPI) -> Iterator[TestClient]:
    """Another browser of the same user."""
    with TestClient(app) as client:
        yield client


def _pages_and_api_refuse(client: TestClient, shop: Shop) -> None:
    page = client.get(f"/shops/{shop.slug}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=%2Fshops%2F{shop.slug}"
    assert client.get(f"/api/v1/shops/{shop.slug}/inquiries").status_code == 401
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_a_signed_out_cookie_replayed_is_refused_everywhere(
    client: TestClient, shop: Shop, owner: User
) -> None:
    assert sign_in(client, owner.email) == 303
    kept = dict(client.cookies)  # an attacker's copy of the cookie
    assert client.get(f"/api/v1/shops/{shop.slug}/inquiries").status_code == 200
    token = csrf(client.get(f"/shops/{shop.slug}").text)

    client.post("/logout", data={"csrf": token})
    client.cookies.update(kept)  # replayed

    _pages_and_api_refuse(client, shop)


def test_the_cookie_holds_a_session_id_and_the_table_only_its_hash(
    client: TestClient, session: Session, owner: User
) -> None:
    sign_in(client, owner.email)

    [stored] = session.scalars(select(UserSession)).all()
    cookie = client.cookies["barberbot_session"]
    data = json.loads(base64.b64decode(cookie.split(".")[0] + "=="))
    assert set(data) <= {"sid", "csrf"}  # who is signed in: the table says, not the cookie
    assert stored.user_id == owner.id
    assert stored.id == hashlib.sha256(data["sid"].encode()).hexdigest()


def test_a_password_change_ends_the_other_sessions_only(
    client: TestClient, second: TestClient, shop: Shop, owner: User
) -> None:
    sign_in(client, owner.email)
    sign_in(second, owner.email)
    wrong = {"current_password": "not it at all", "new_password": "a much longer secret"}
    right = wrong | {"current_password": PASSWORD}

    refused = post_form(client, "/account", "/account/password", wrong)
    assert refused.status_code == 422
    assert "That is not your current password." in refused.text
    assert second.get(f"/api/v1/shops/{shop.slug}/inquiries").status_code == 200

    assert post_form(client, "/account", "/account/password", right).status_code == 303
    assert client.get(f"/api/v1/shops/{shop.slug}/inquiries").status_code == 200
    _pages_and_api_refuse(second, shop)
    assert sign_in(second, owner.email) == 401
    assert sign_in(second, owner.email, "a much longer secret") == 303


def test_sign_out_everywhere_ends_every_session(
    client: TestClient, second: TestClient, shop: Shop, owner: User
) -> None:
    sign_in(client, owner.email)
    sign_in(second, owner.email)

    done = post_form(client, "/account", "/account/sign-out-everywhere", {})

    assert done.headers["location"] == "/login?done=everywhere"
    _pages_and_api_refuse(client, shop)
    _pages_and_api_refuse(second, shop)


def test_end_all_stops_a_users_sessions_at_once(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    sign_in(client, owner.email)

    assert sessions.end_all(session, owner.id) == 1
    session.commit()

    _pages_and_api_refuse(client, shop)


def test_signing_in_goes_back_to_the_page_asked_for_and_never_elsewhere(
    client: TestClient, shop: Shop, owner: User
) -> None:
    asked = client.get(f"/shops/{shop.slug}/inbox?status=new", follow_redirects=False)
    login = asked.headers["location"]
    assert login == f"/login?next=%2Fshops%2F{shop.slug}%2Finbox%3Fstatus%3Dnew"
    assert f'name="next" value="/shops/{shop.slug}/inbox?status=new"' in client.get(login).text

    assert sign_in(client, owner.email, next=f"/shops/{shop.slug}/inbox?status=new") == 303
    for elsewhere in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        token = csrf(client.get("/login").text)  # signing in gave the browser a new one
        data = {"email": owner.email, "password": PASSWORD, "csrf": token, "next": elsewhere}
        away = client.post("/login", data=data, follow_redirects=False)
        assert away.headers["location"] == "/"


def test_capture_costs_anonymous_visitors_no_session_lookup_and_a_cookie_one(
    client: TestClient, database: Database, shop: Shop, owner: User
) -> None:
    seen: list[str] = []

    def note(*args: object) -> None:
        statement = str(args[2])
        if "user_sessions" in statement or "api_tokens" in statement:
            seen.append(statement)

    url = f"/api/v1/shops/{shop.slug}/inquiries"
    event.listen(database.engine, "before_cursor_execute", note)
    try:
        assert client.post(url, json=inquiry_payload()).status_code == 201
        assert seen == []
        sign_in(client, owner.email)
        seen.clear()
        assert client.post(url, json=inquiry_payload()).status_code == 201
    finally:
        event.remove(database.engine, "before_cursor_execute", note)

    assert len(seen) == 1
    assert seen[0].lstrip().upper().startswith("SELECT")


def test_an_ended_session_on_the_capture_path_is_simply_anonymous(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    sign_in(client, owner.email)
    sessions.end_all(session, owner.id)
    session.commit()

    response = client.post(f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload())

    assert response.status_code == 201  # the public form still takes it
    assert session.scalar(select(func.count()).select_from(UserSession)) == 0
