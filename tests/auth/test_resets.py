""" "Forgot password?": the same answer for any address, a link that works once, for an hour."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from barberbot.models import Shop, User
from tests.auth.conftest import Clock, csrf, post_form, sign_in
from tests.support.smtp import SmtpServer

NEW = "a brand new password"


def _ask(client: TestClient, email: str) -> str:
    """Asks for a link; where the answer sends the browser."""
    response = post_form(client, "/password/forgot", "/password/forgot", {"email": email})
    assert response.status_code == 303
    return response.headers["location"]


def _link(smtp: SmtpServer, email: str) -> str:
    [message] = smtp.to(email)
    found = re.search(r"http://testserver(/password/reset/\S+)", message.body)
    assert found, message.body
    return found.group(1)


def _set(client: TestClient, path: str, password: str = NEW) -> int:
    token = csrf(client.get("/login").text)
    data = {"password": password, "csrf": token}
    return client.post(path, data=data, follow_redirects=False).status_code


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    client: TestClient, owner: User, smtp: SmtpServer
) -> None:
    assert _ask(client, "nobody@example.com") == _ask(client, owner.email.upper())
    assert [m.recipients for m in smtp.messages()] == [[owner.email]]
    assert "If an account uses that address" in client.get("/password/forgot?sent=1").text


def test_the_link_sets_a_password_once_and_ends_every_session(
    client: TestClient, clock: Clock, shop: Shop, owner: User, smtp: SmtpServer
) -> None:
    signed_in = TestClient(client.app)
    sign_in(signed_in, owner.email)
    _ask(client, owner.email)
    path = _link(smtp, owner.email)
    assert "Choose a new password" in client.get(path).text

    assert _set(client, path, "short") == 422  # refused, and the link still works
    assert _set(client, path) == 303
    assert _set(client, path, "yet another password") == 410  # used
    assert "no longer works" in client.get(path).text
    assert signed_in.get(f"/api/v1/shops/{shop.slug}/inquiries").status_code == 401
    assert sign_in(client, owner.email, NEW) == 303


def test_the_link_expires_after_an_hour(
    client: TestClient, clock: Clock, owner: User, smtp: SmtpServer
) -> None:
    _ask(client, owner.email)
    path = _link(smtp, owner.email)

    clock.advance(minutes=59)
    assert client.get(path).status_code == 200
    clock.advance(minutes=1)
    assert client.get(path).status_code == 410
    assert _set(client, path) == 410
    assert sign_in(client, owner.email, NEW) == 401
