"""The capture route on the hot path gives the answers the whole stack gives.

Each request is sent three ways: without a cookie (the hot path), with an unrelated cookie
(which sends it through the whole stack: sessions, request log, body limit, router, exception
middleware), and without a cookie with the hot path switched off (the whole stack for the very
same request, so a middleware declared skippable that would have done something shows).
Status, body and headers must agree, whatever the outcome: 201, 202 (Kafka), 400, 404, 409,
413, 422, 429, 500 and 503 (MongoDB down).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx  # what Starlette's test client answers with
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session
from starlette.types import Message, Scope

from barberbot.app import create_app
from barberbot.core import hotlayers, hotpath
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Shop
from barberbot.streaming.topics import ensure_topics
from tests.factories import inquiry_payload, make_form
from tests.support.kafka import KafkaBroker
from tests.support.mongo import MongoServer

THROUGH_THE_STACK = {"Cookie": "theme=dark"}  # any cookie: only sessions read cookies
VARYING = {"x-request-id", "location", "date", "content-length"}  # per request by nature
LIMIT = 2048


@pytest.fixture
def small_app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings.model_copy(update={"max_body_bytes": LIMIT}), database)


@dataclass
class HotSpy:
    taken: list[str] = field(default_factory=list)  # the paths the hot path took
    off: bool = False  # switch the hot path off: every request takes the stack


@pytest.fixture
def hot(monkeypatch: pytest.MonkeyPatch) -> HotSpy:
    spy = HotSpy()
    original = hotpath.HotPaths.match

    def match(self: hotpath.HotPaths, scope: Scope) -> hotlayers.HotMatch | None:
        found = None if spy.off else original(self, scope)
        if found is not None:
            spy.taken.append(scope["path"])
        return found

    monkeypatch.setattr(hotpath.HotPaths, "match", match)
    return spy


@pytest.fixture
def client(small_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(small_app, raise_server_exceptions=False) as client:
        yield client


def _ways(send: Callable[[dict[str, str]], httpx.Response], hot: HotSpy) -> list[httpx.Response]:
    """The same request through the hot path, through the stack with a cookie, and through
    the stack without one."""
    answers = [send({}), send(THROUGH_THE_STACK)]
    hot.off = True
    try:
        answers.append(send({}))
    finally:
        hot.off = False
    return answers


def _same_answers(answers: list[httpx.Response], *, ignore: frozenset[str] = frozenset()) -> None:
    hot, *stack = answers
    for other in stack:
        assert hot.status_code == other.status_code
        assert _headers(hot) == _headers(other)
        if not ignore:  # byte for byte
            assert hot.content == other.content
            continue
        hot_body, other_body = hot.json(), other.json()
        for key in ignore:
            hot_body.pop(key, None), other_body.pop(key, None)
        assert hot_body == other_body
    if hot.status_code != 500:  # the server-error layer answers outside the request log
        assert all(answer.headers["x-request-id"] for answer in answers)


def _headers(response: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in VARYING}


def test_a_stored_inquiry_is_answered_alike(client: TestClient, shop: Shop, hot: HotSpy) -> None:
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    answers = _ways(lambda headers: client.post(url, json=inquiry_payload(), headers=headers), hot)

    assert [a.status_code for a in answers] == [201, 201, 201]
    _same_answers(answers, ignore=frozenset({"id", "received_at", "consent_at"}))
    assert all(a.headers["location"].startswith(url + "/") for a in answers)
    assert hot.taken == [url]  # the first went the hot way, the others did not


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
    client: TestClient, shop: Shop, hot: HotSpy, case: str, status: int
) -> None:
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    if case == "idempotency key reused":
        client.post(url, json=inquiry_payload(), headers={"Idempotency-Key": "k1"})

    def send(headers: dict[str, str]) -> httpx.Response:
        return _send(client, url, case, headers)

    answers = _ways(send, hot)

    assert answers[0].status_code == status, answers[0].text
    _same_answers(answers)
    assert len(hot.taken) == 1 + (case == "idempotency key reused")


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


def test_an_unexpected_failure_is_a_500_and_logged_alike(
    client: TestClient,
    small_app: FastAPI,
    shop: Shop,
    hot: HotSpy,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(small_app.state.intake, "submit", broken)
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    with caplog.at_level(logging.INFO, logger="barberbot.http"):
        answers = _ways(lambda h: client.post(url, json=inquiry_payload(), headers=h), hot)

    assert [a.status_code for a in answers] == [500, 500, 500]
    _same_answers(answers)  # FastAPI's server-error layer, on every way
    logged = [r for r in caplog.records if r.name == "barberbot.http" and r.msg == "request"]
    assert [(r.path, r.status) for r in logged] == [(url, 500)] * 3  # type: ignore[attr-defined]
    assert hot.taken == [url]


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
    client: TestClient, shop: Shop, hot: HotSpy
) -> None:
    base = f"/api/v1/shops/{shop.slug}/inquiries"
    listed = client.get(base)  # the list needs a token: 401 from the stack's dependencies
    slash = client.post(base + "/", json=inquiry_payload(), follow_redirects=False)

    assert listed.status_code == 401
    assert slash.status_code in (307, 404, 405)  # whatever the router says, not the hot path
    assert hot.taken == []


def test_the_rate_limit_is_a_429_alike(
    settings: Settings, database: Database, shop: Shop, hot: HotSpy
) -> None:
    limited = settings.model_copy(update={"rate_limit_per_minute": 1})
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    with TestClient(create_app(limited, database)) as client:
        first = client.post(url, json=inquiry_payload())
        answers = _ways(lambda h: client.post(url, json=inquiry_payload(), headers=h), hot)

    assert first.status_code == 201
    assert [a.status_code for a in answers] == [429, 429, 429]
    _same_answers(answers)
    assert answers[0].headers["retry-after"] == "60"


def test_a_client_hanging_up_mid_body_is_a_400_alike(
    client: TestClient, shop: Shop, hot: HotSpy
) -> None:
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    answers = _ways(lambda headers: _hang_up(client, url, headers), hot)

    assert [a.status_code for a in answers] == [400, 400, 400]
    _same_answers(answers)
    assert answers[0].json() == {"detail": "The client hung up mid-body."}
    assert hot.taken == [url]


def _hang_up(client: TestClient, url: str, headers: dict[str, str]) -> httpx.Response:
    """A POST whose client hangs up after a first part of the body, sent to the app as a
    server would; the app's answer as it sent it (a server drops it, the client is gone)."""
    parts: list[Message] = [
        {"type": "http.request", "body": b'{"customer_name": "Ja', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return parts.pop(0) if parts else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    raw = {"content-type": "application/json", "content-length": "200", **headers}
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in raw.items()],
        "client": ("testclient", 50000),
        "server": ("testserver", 80),
        "state": dict(client.app_state),
    }
    assert client.portal is not None  # the client is started: its loop runs the app
    client.portal.call(client.app, scope, receive, send)
    start, *body = sent
    return httpx.Response(
        start["status"],
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]],
        content=b"".join(part.get("body", b"") for part in body),
    )


@pytest.fixture
def answer_backend() -> str:
    return "mongodb"  # the 503: answers go to a MongoDB-wire server that goes down


@pytest.fixture
def mongodb_down(mongodb_url: str, mongo_server: MongoServer) -> Iterator[MongoServer]:
    """The suite's MongoDB server, for the test to stop; started again (and this test's
    database dropped, by `mongodb_url`) afterwards."""
    yield mongo_server
    if mongo_server._process is None:
        mongo_server.start_server()


def test_the_answer_store_unreachable_is_a_503_alike(
    settings: Settings,
    database: Database,
    session: Session,
    shop: Shop,
    hot: HotSpy,
    mongodb_down: MongoServer,
) -> None:
    make_form(session, shop=shop)  # a custom form: its answers go to MongoDB
    with_mongodb = settings.model_copy(
        update={"mongodb_url": SecretStr(mongodb_down.url), "mongodb_timeout_ms": 500}
    )
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    body = inquiry_payload(answers={"hair_type": "Curly"})
    with TestClient(create_app(with_mongodb, database)) as client:
        stored = client.post(url, json=body)
        mongodb_down.stop_server()
        answers = _ways(lambda headers: client.post(url, json=body, headers=headers), hot)

    assert stored.status_code == 201
    assert stored.json()["answers"] == {"hair_type": "Curly"}
    assert [a.status_code for a in answers] == [503, 503, 503]
    _same_answers(answers)
    assert answers[0].headers["retry-after"] == "5"


@pytest.fixture(scope="module")
def broker() -> Iterator[KafkaBroker]:
    with KafkaBroker() as broker:
        yield broker


@pytest.fixture
def streaming_app(
    settings: Settings, database: Database, broker: KafkaBroker, tmp_path: Any
) -> Iterator[TestClient]:
    run = uuid.uuid4().hex[:8]
    streaming = settings.model_copy(
        update={
            "kafka_bootstrap_servers": broker.bootstrap_servers,
            "kafka_topic": f"inquiries-{run}",
            "kafka_dlq_topic": f"dlq-{run}",
            "kafka_topic_partitions": 1,
            "kafka_producer_config": {"message.timeout.ms": "4000"},
            "outbox_path": tmp_path / "outbox.db",
        }
    )
    ensure_topics(streaming)
    with TestClient(create_app(streaming, database)) as client:
        yield client


def test_a_queued_inquiry_is_a_202_alike(
    streaming_app: TestClient, shop: Shop, hot: HotSpy
) -> None:
    client, url = streaming_app, f"/api/v1/shops/{shop.slug}/inquiries"
    fresh = _ways(lambda headers: client.post(url, json=inquiry_payload(), headers=headers), hot)
    key = {"Idempotency-Key": "queued-once"}
    first = client.post(url, json=inquiry_payload(), headers=key)
    replayed = _ways(
        lambda headers: client.post(url, json=inquiry_payload(), headers={**key, **headers}), hot
    )

    assert [a.status_code for a in (*fresh, first, *replayed)] == [202] * 7
    _same_answers(fresh, ignore=frozenset({"id"}))  # a new id each
    assert len({a.json()["id"] for a in fresh}) == 3
    assert all(a.headers["location"] == f"{url}/{a.json()['id']}" for a in fresh)
    _same_answers(replayed)  # the first one's answer again: byte for byte
    assert replayed[0].json() == first.json() == {"id": first.json()["id"], "status": "queued"}
    assert replayed[0].headers["idempotent-replayed"] == "true"
    assert hot.taken == [url] * 3
