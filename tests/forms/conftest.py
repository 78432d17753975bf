"""Every test here that stores answers runs twice: SQL answer store, and a real MongoDB-wire
server (tests/answer_backends.py). Both on SQLite and on MariaDB (`--db=mariadb`)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from pymongo import MongoClient

from barberbot.core.settings import Settings
from barberbot.forms.mongo import COLLECTION


@pytest.fixture
def settings(settings: Settings, mongodb_url: str | None) -> Settings:
    """The suite's settings, with this test's answer store (and a short MongoDB timeout)."""
    mongodb = None if mongodb_url is None else SecretStr(mongodb_url)
    return settings.model_copy(update={"mongodb_url": mongodb, "mongodb_timeout_ms": 1000})


def raw_documents(app: FastAPI) -> list[dict[str, Any]]:
    """Every stored answer document, as the store itself holds it."""
    settings: Settings = app.state.settings
    if settings.mongodb_url is not None:
        client: MongoClient[dict[str, Any]] = MongoClient(
            settings.mongodb_url.get_secret_value(), tz_aware=True
        )
        with client:
            return list(client.get_default_database()[COLLECTION].find().sort("received_at"))
    with app.state.db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT inquiry_id, shop_id, form_version, answers FROM inquiry_answers"
        )
        return [
            {"_id": r[0], "shop_id": r[1], "form_version": r[2], "answers": _json(r[3])}
            for r in rows
        ]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value
