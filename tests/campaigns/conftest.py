"""Campaign tests: a real SMTP server on loopback, settings pointing at it, plain factories."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from barberbot.app import create_app
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from tests.support.smtp import SmtpServer

PUBLIC_URL = "http://testserver"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "campaign_send_rate": 0,
            "public_url": PUBLIC_URL,
            "mail_from": "King's Cuts <offers@kings.example>",
        }
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=PUBLIC_URL) as client:
        yield client
