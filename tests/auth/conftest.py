"""Access tests: the app's clock set by the test, and its mail to a real SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response

from barberbot.core.settings import Settings
from tests.factories import PASSWORD
from tests.support.smtp import SmtpServer


class Clock:
    """The app's "now", moved by the test: links expire without waiting."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: FastAPI) -> Clock:
    app.state.clock = clock = Clock()
    return clock


@pytest.fixture(scope="package")
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer) -> Settings:
    smtp.clear()
    return settings.model_copy(
        update={"smtp_host": smtp.host, "smtp_port": smtp.port, "public_url": "http://testserver"}
    )


def csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next: str = "") -> int:
    """Posts the sign-in form; the status code (303: signed in, to `next` or home)."""
    token = csrf(client.get("/login").text)
    data = {"email": email, "password": password, "csrf": token, "next": next}
    response = client.post("/login", data=data, follow_redirects=False)
    if response.status_code == 303:
        assert response.headers["location"] == (next or "/")
    return response.status_code


def post_form(client: TestClient, page: str, action: str, data: dict[str, str]) -> Response:
    """Posts a form of `page` with its CSRF token; the response."""
    token = csrf(client.get(page).text)
    return client.post(action, data=data | {"csrf": token}, follow_redirects=False)
