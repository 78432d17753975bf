"""The capture route answered ahead of the middleware stack gives the answers the stack gives.

Each request is sent twice: without a cookie (the hot path) and with an unrelated cookie
(which sends it through the whole stack: sessions, request log, body limit, router, exception
middleware). Status, body and headers must agree, whatever the outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx2 as httpx  # what Starlette's test client answers with
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from barberbot.app import create_app
from barberbot.core import hotpath
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Shop
from tests.factories import inquiry_payload

THROUGH_THE_STACK = {"Cookie": "theme=dark"}  # any cookie: only sessions read cookies
VARYING = {"x-request-id", "location", "date", "content-length"}  # per request by nature
LIMIT = 2048


@pytest.fixture
def small_app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings.model_copy(update={"max_body_bytes": LIMIT}), database)


@pytest.fixture
def hot(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the hot path answered (a spy on it)."""
    answered: list[str] = []
    original = hotpath.HotPaths._answer

    async def spy(self: hotpath.HotPaths, route: Any, params: Any, scope: Any, *rest: Any) -> None:
        answered.append(scope["path"])
        await original(self, route, params, scope, *rest)

    monkeypatch.setattr(hotpath.HotPaths, "_answer", spy)
    return answered


@pytest.fixture
def client(small_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(small_app, raise_server_exceptions=False) as client:
        yield client


def _both(send: Callable[[dict[str, str]], httpx.Response]) -> tuple[httpx.Response, ...]:
    """The same request through the hot path, then through the stack."""
    return send({}), send(THROUGH_THE_STACK)


def _same_answer(
    hot: httpx.Response, stack: httpx.Response, *, ignore: frozenset[str] = frozenset()
) -> None:
    assert hot.status_code == stack.status_code
    assert _headers(hot) == _headers(stack)
    assert hot.headers["x-request-id"]
    assert stack.headers["x-request-id"]
    if not ignore:  # byte for byte
        assert hot.content == stack.content
        return
    hot_body, stack_body = hot.json(), stack.json()
    for key in ignore:
        hot_body.pop(key, None), stack_body.pop(key, None)
    assert hot_body == stack_body


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in VARYING}


def test_a_stored_inquiry_is_answered_alike(client: TestClient, shop: Shop, hot: list[str]) -> None:
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    answers = _both(lambda headers: client.post(url, json=inquiry_payload(), headers=headers))

    assert [a.status_code for a in answers] == [201, 201]
    _same_answer(*answers, ignore=frozenset({"id", "received_at", "consent_at"}))
    assert all(a.headers["location"].startswith(url + "/") for a in answers)
    assert hot == [url]  # the first went the hot way, the one with a cookie did not


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("invalid fields", 422),
        ("unknown shop", 404),
        ("declared too large", 413),
        ("streamed too large", 413),
        ("not JSON", 422),
        ("idempotency key reused", 409),
        ("idempotency key too long", 422),
    ],
)
def test_every_error_is_answered_alike(
    client: TestClient, shop: Shop, hot: list[str], case: str, status: int
) -> None:
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    if case == "idempotency key reused":
        client.post(url, json=inquiry_payload(), headers={"Idempotency-Key": "k1"})

    def send(headers: dict[str, str]) -> httpx.Response:
        return _send(client, url, case, headers)

    hot_answer, stack_answer = _both(send)

    assert hot_answer.status_code == status, hot_answer.text
    _same_answer(hot_answer, stack_answer)
    assert len(hot) == 1 + (case == "idempotency key reused")


def _send(client: TestClient, url: str, case: str, headers: dict[str, str]) -> httpx.Response:
    if case == "invalid fields":
        return client.post(url, json=inquiry_payload(age=400, email="nope"), headers=headers)
    if case == "unknown shop":
        return client.post(url.replace("kings-cuts", "nowhere"), json={}, headers=headers)
    if case == "declared too large":
        return client.post(url, content=b"x" * (LIMIT + 1), headers=headers)
    if case == "streamed too large":
        chunks = (b"x" * 1024 for _ in range(4))  # no Content-Length: sent chunked
        return client.post(url, content=chunks, headers=headers)
    if case == "not JSON":
        return client.post(url, content=b"{nope", headers=headers)
    if case == "idempotency key reused":
        other = inquiry_payload(customer_name="Someone Else")
        return client.post(url, json=other, headers={"Idempotency-Key": "k1", **headers})
    assert case == "idempotency key too long"
    long_key = {"Idempotency-Key": "k" * 300}
    return client.post(url, json=inquiry_payload(), headers={**long_key, **headers})


def test_an_unexpected_failure_is_a_500_and_logged_both_ways(
    client: TestClient,
    small_app: FastAPI,
    shop: Shop,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(small_app.state.intake, "submit", broken)
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    with caplog.at_level(logging.INFO, logger="barberbot.http"):
        hot_answer, stack_answer = _both(
            lambda headers: client.post(url, json=inquiry_payload(), headers=headers)
        )

    assert (hot_answer.status_code, stack_answer.status_code) == (500, 500)
    logged = [r for r in caplog.records if r.name == "barberbot.http" and r.msg == "request"]
    assert [(r.path, r.status) for r in logged] == [(url, 500), (url, 500)]  # type: ignore[attr-defined]


def test_each_answer_has_a_request_id_that_is_logged(
    client: TestClient, shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    with caplog.at_level(logging.INFO, logger="barberbot.http"):
        first = client.post(url, json=inquiry_payload())
        second = client.post(url, json=inquiry_payload(customer_name="Ana Lima"))

    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert len(set(ids)) == 2
    logged = [r for r in caplog.records if r.name == "barberbot.http" and r.msg == "request"]
    assert [(r.request_id, r.status) for r in logged] == [(ids[0], 201), (ids[1], 201)]  # type: ignore[attr-defined]


def test_other_methods_and_paths_take_the_stack(
    client: TestClient, shop: Shop, hot: list[str]
) -> None:
    base = f"/api/v1/shops/{shop.slug}/inquiries"
    listed = client.get(base)  # the list needs a token: 401 from the stack's dependencies
    slash = client.post(base + "/", json=inquiry_payload(), follow_redirects=False)

    assert listed.status_code == 401
    assert slash.status_code in (307, 404, 405)  # whatever the router says, not the hot path
    assert hot == []
