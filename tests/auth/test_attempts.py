"""Brute force: the 11th attempt in 15 minutes, for an account or from a client, is a 429."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

from barberbot.models import User
from tests.auth.conftest import Clock, csrf
from tests.factories import PASSWORD
from tests.support.smtp import SmtpServer


def _attempt(app: FastAPI, email: str, password: str, ip: str = "192.0.2.1") -> tuple[int, str]:
    """One sign-in from a browser at `ip`: its status and Retry-After."""
    response = _sign_in(app, email, password, ip)
    return response.status_code, response.headers.get("retry-after", "")


def _sign_in(app: FastAPI, email: str, password: str, ip: str = "192.0.2.1") -> Response:
    with TestClient(app, client=(ip, 50000)) as browser:
        token = csrf(browser.get("/login").text)
        data = {"email": email, "password": password, "csrf": token}
        return browser.post("/login", data=data, follow_redirects=False)


def _ask_for_link(browser: TestClient, email: str) -> int:
    token = csrf(browser.get("/password/forgot").text)
    data = {"email": email, "csrf": token}
    return browser.post("/password/forgot", data=data, follow_redirects=False).status_code


def test_the_eleventh_attempt_on_an_account_is_refused_and_its_owner_told_once(
    app: FastAPI, clock: Clock, owner: User, smtp: SmtpServer
) -> None:
    statuses = []
    for number in range(10):  # each from another client, a minute apart
        statuses.append(_attempt(app, owner.email, "guess", ip=f"192.0.2.{number}")[0])
        clock.advance(minutes=1)

    eleventh = _attempt(app, owner.email, PASSWORD, ip="198.51.100.7")  # even the right one
    twelfth = _attempt(app, owner.email, PASSWORD, ip="198.51.100.8")

    assert statuses == [401] * 10
    assert eleventh == (429, "300")  # the first failure leaves the window in 5 minutes
    assert twelfth[0] == 429
    [told] = smtp.to(owner.email)
    assert "Failed sign-ins" in told.message["Subject"]
    assert "http://testserver/password/forgot" in told.body
    with TestClient(app) as browser:  # the owner sets a new password: the pause is lifted
        assert _ask_for_link(browser, owner.email) == 303
        [_, reset] = smtp.to(owner.email)
        path = re.search(r"http://testserver(/password/reset/\S+)", reset.body)
        assert path
        token = csrf(browser.get(path.group(1)).text)
        done = browser.post(path.group(1), data={"password": "new and long", "csrf": token})
        assert done.url.path == "/login"
    assert _attempt(app, owner.email, "new and long", ip="198.51.100.9")[0] == 303


def test_the_eleventh_attempt_from_a_client_is_refused_whatever_the_account(
    app: FastAPI, clock: Clock, owner: User, smtp: SmtpServer
) -> None:
    statuses = [_attempt(app, f"nobody{n}@example.com", "guess")[0] for n in range(10)]

    eleventh = _sign_in(app, owner.email, PASSWORD)

    assert statuses == [401] * 10
    assert (eleventh.status_code, eleventh.headers["retry-after"]) == (429, "900")
    assert "Too many failed sign-ins. Try again in 15 minutes" in eleventh.text
    assert f'value="{owner.email}"' in eleventh.text  # what was typed stays
    assert _attempt(app, owner.email, PASSWORD, ip="203.0.113.5")[0] == 303  # others may
    assert smtp.messages() == []  # no account had ten failures
    clock.advance(minutes=15)
    assert _attempt(app, owner.email, PASSWORD)[0] == 303
