"""429 on the API and the form, health endpoints, and settings that refuse unsafe values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.app import create_app
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Inquiry, Shop
from tests.factories import inquiry_payload
from tests.support.live import LiveServer


@pytest.fixture
def limited_client(settings: Settings, database: Database) -> Iterator[TestClient]:
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 2}), database)
    with TestClient(app) as client:
        yield client


def test_api_submissions_over_the_limit_get_429(
    limited_client: TestClient, shop: Shop, session: Session
) -> None:
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    statuses = [limited_client.post(url, json=inquiry_payload()).status_code for _ in range(3)]
    third = limited_client.post(url, json=inquiry_payload())

    assert statuses == [201, 201, 429]
    assert third.status_code == 429
    assert "Too many submissions" in third.json()["detail"]
    assert 1 <= int(third.headers["retry-after"]) <= 60
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 2


def test_authenticated_clients_are_not_throttled(
    limited_client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    url = f"/api/v1/shops/{shop.slug}/inquiries"

    statuses = {
        limited_client.post(url, json=inquiry_payload(), headers=owner_headers).status_code
        for _ in range(4)
    }

    assert statuses == {201}


def test_form_submissions_over_the_limit_get_a_clear_429_page(
    limited_client: TestClient, shop: Shop
) -> None:
    url = f"/s/{shop.slug}/inquire"
    form = {k: str(v) for k, v in inquiry_payload().items()}
    for _ in range(2):
        limited_client.post(url, data=form, follow_redirects=False)

    response = limited_client.post(url, data=form, follow_redirects=False)

    assert response.status_code == 429
    assert "Too many submissions" in response.text
    assert "retry-after" in response.headers


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready", "database": "ok"}


def test_readyz_is_503_when_the_database_is_unreachable(settings: Settings) -> None:
    broken = Database.from_url("mysql+pymysql://nobody:x@127.0.0.1:1/none")
    with TestClient(create_app(settings, broken)) as client:
        response = client.get("/readyz")

    assert response.status_code == 503
    assert "database unreachable" in response.json()["detail"]
    assert client.get("/healthz").status_code == 200


def test_production_refuses_to_start_without_a_secret_key() -> None:
    with pytest.raises(ValidationError, match="BARBERBOT_SECRET_KEY"):
        Settings(environment="production")


def test_settings_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BARBERBOT_PORT", "9123")
    monkeypatch.setenv("BARBERBOT_HOST", "0.0.0.0")
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", "mysql+pymysql://u:p@db/barberbot")

    settings = Settings()

    assert (settings.host, settings.port) == ("0.0.0.0", 9123)
    assert settings.resolved_database_url == "mysql+pymysql://u:p@db/barberbot"


def test_generated_secret_key_is_kept_between_starts(tmp_path: Path) -> None:
    first = Settings(data_dir=tmp_path).resolved_secret_key
    again = Settings(data_dir=tmp_path).resolved_secret_key

    assert first == again
    assert len(first) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def _chunked(total: int, chunk: int = 8192) -> Iterator[bytes]:
    """A body sent with Transfer-Encoding: chunked, so it declares no Content-Length."""
    body = json.dumps(inquiry_payload(message="x" * total)).encode()
    for start in range(0, len(body), chunk):
        yield body[start : start + chunk]


def test_a_chunked_body_over_the_limit_is_413_and_nothing_is_stored(
    app: FastAPI, shop: Shop, session: Session, settings: Settings
) -> None:
    over = settings.max_body_bytes + 10_000
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        api = http.post(
            f"/api/v1/shops/{shop.slug}/inquiries",
            content=_chunked(over),
            headers={"Content-Type": "application/json"},
        )
        form = http.post(
            f"/s/{shop.slug}/inquire",
            content=(c.replace(b'"', b"") for c in _chunked(over)),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    assert api.request.headers["transfer-encoding"] == "chunked"
    assert "content-length" not in api.request.headers
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 0
    assert (api.status_code, form.status_code) == (413, 413)
    assert "Too much to send" in form.text
    assert "larger than" in api.json()["detail"]
