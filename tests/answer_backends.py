"""Running a test against both answer stores: the SQL table, and a real MongoDB-wire server
(SecantusDB, started once per run). A test asks for `mongodb_url` (None: the SQL store) and
runs twice; both on SQLite and on MariaDB (`--db=mariadb`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient

from barberbot.forms.mongo import MongoAnswerStore
from barberbot.forms.store import AnswerStore, SqlAnswerStore
from tests.support.mongo import DATABASE, MongoServer


@pytest.fixture(scope="session")
def mongo_server() -> Iterator[MongoServer]:
    with MongoServer() as server:
        yield server


@pytest.fixture(params=["sql", "mongodb"])
def answer_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def mongodb_url(answer_backend: str, request: pytest.FixtureRequest) -> Iterator[str | None]:
    """This test's MongoDB (emptied after it), or None for the SQL answer store."""
    if answer_backend == "sql":
        yield None
        return
    server: MongoServer = request.getfixturevalue("mongo_server")
    yield server.url
    client: MongoClient[dict[str, Any]] = MongoClient(server.url)
    with client:
        client.drop_database(DATABASE)


@pytest.fixture
def answer_store(mongodb_url: str | None) -> Iterator[AnswerStore]:
    """This test's answer store: the SQL table, or MongoDB (SecantusDB)."""
    if mongodb_url is None:
        yield SqlAnswerStore()
        return
    store = MongoAnswerStore(mongodb_url, timeout_ms=1000)
    yield store
    store.close()
