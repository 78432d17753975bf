"""Shared fixtures: one migrated database per run (SQLite or a real MariaDB), cleaned per test.

`pytest` runs on SQLite; `pytest --db=mariadb` starts a throwaway MariaDB server on loopback
and runs the very same tests against it — every test that uses the database (its fixtures
reach `database_url`). A test that never touches the database under test (the rules, the
desktop app's own store, the manifests, the rehearsal with its own MariaDB...) would only run
again unchanged, so the MariaDB run deselects it (`make test` runs both; it is reported as
deselected, never as passed); `--db=mariadb --all-tests` keeps it. The same goes for the
browser tests: they check what the pages do in Chromium (scripts, layout, accessibility), and
the reads and writes behind those pages are the page and API tests', which run on both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session

from barberbot.app import create_app
from barberbot.core import migrate
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Base, Shop, User
from tests.factories import make_shop, make_token, make_user
from tests.support.mariadb import MariaDBServer

# headless Chromium for the web form's and dashboard's tests; the SQL and MongoDB answer stores
pytest_plugins = ["tests.browser", "tests.answer_backends"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "mariadb"),
        default="sqlite",
        help="Database backend for the whole run (mariadb starts a real server).",
    )
    parser.addoption(
        "--all-tests",
        action="store_true",
        help="With --db=mariadb: also the tests that do not use the database.",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On MariaDB, only the tests that use the database, browsers aside (the SQLite run has
    the others)."""
    if config.getoption("--db") == "sqlite" or config.getoption("--all-tests"):
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        uses_database = "database_url" in getattr(item, "fixturenames", ())
        in_a_browser = item.get_closest_marker("browser") is not None
        (kept if uses_database and not in_a_browser else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> str:
    return f"barberbot database backend: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


@pytest.fixture(scope="session")
def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if backend == "mariadb":
        with MariaDBServer() as server:
            yield server.url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    db = Database.from_url(database_url)
    migrate.upgrade(db.engine)
    yield db
    db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts from empty tables (only where it used the database)."""
    yield
    if "database" not in request.fixturenames:
        return
    db: Database = request.getfixturevalue("database")
    with db.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(delete(table))


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.sessions() as session:
        yield session


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=database_url,
        data_dir=tmp_path,
        secret_key="test-secret-key-that-is-long-enough",
        rate_limit_per_minute=0,
        inbox_send_rate=0,  # unthrottled: tests send as fast as they can
        sms_webhook_insecure=True,  # unsigned STOPs; test_sms.py checks the signed default
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    return create_app(settings, database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def shop(session: Session) -> Shop:
    return make_shop(session, slug="kings-cuts", name="King's Cuts")


@pytest.fixture
def owner(session: Session, shop: Shop) -> User:
    return make_user(session, email="owner@kings.example", shops=[shop])


@pytest.fixture
def owner_headers(session: Session, owner: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(session, owner)}"}
