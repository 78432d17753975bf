"""Settling, the writers' side: every shop's rollups and customers brought up to date, one shop
per transaction; run periodically by `serve` where no Kafka worker does, surviving errors."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.analytics import rollup_settle, settling
from barberbot.analytics.settling import Periodic, Settled, settle_all
from barberbot.app import create_app
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.customers import service as customers
from barberbot.inquiries import settled
from barberbot.models import CustomerInquiry, RollupCount, Shop
from tests.analytics.writes import recorded_writes
from tests.factories import make_inquiry, make_shop

NOW = datetime.now(UTC)


def _fill(session: Session, shop: Shop, count: int = 5) -> None:
    for n in range(count):
        make_inquiry(session, shop=shop, received_at=NOW - timedelta(days=3 + n),
                     email=f"c{n}@{shop.slug}.io")  # fmt: skip


def _through(session: Session, shop: Shop, reader: str) -> int | None:
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    return settled.through(session, shop.id, reader)


def _linked(session: Session, shop: Shop) -> int:
    session.rollback()
    query = select(func.count()).where(CustomerInquiry.shop_id == shop.id)
    return session.scalar(query) or 0


def test_every_shop_is_settled_and_settling_again_writes_nothing(
    database: Database, session: Session, shop: Shop
) -> None:
    other = make_shop(session, slug="other")
    _fill(session, shop)
    _fill(session, other, 3)

    first = settle_all(database)
    with recorded_writes() as writes:
        again = settle_all(database)

    assert first == again == Settled(shops=2)
    for each in (shop, other):
        assert _through(session, each, rollup_settle.READER) == settled.settled_before()
        assert _through(session, each, customers.READER) == settled.settled_before()
    assert _linked(session, shop) == 5
    assert [sql for sql in writes if sql != "COMMIT"] == []


def test_a_shop_that_fails_is_logged_and_the_others_are_settled(
    database: Database, session: Session, shop: Shop, caplog: pytest.LogCaptureFixture
) -> None:
    other = make_shop(session, slug="other")
    _fill(session, shop)
    _fill(session, other)
    # a row another settler wrote meanwhile: counting the day again collides with it
    day = settled.day_of(NOW - timedelta(days=3))
    stray = RollupCount(shop_id=shop.id, level=0, first_day=day, inquiry_type="beard_trim",
                        gender="male", age_band="25-34", location="high-street", inquiries=1,
                        consenting=1)  # fmt: skip
    session.add(stray)
    session.commit()

    with caplog.at_level(logging.WARNING, logger="barberbot.settling"):
        done = settle_all(database)

    assert done == Settled(shops=2, failed=1)
    assert [(r.getMessage(), r.shop_id) for r in caplog.records] == [  # type: ignore[attr-defined]
        ("settling a shop failed; the next round tries again", shop.id)
    ]
    assert _through(session, shop, rollup_settle.READER) is None  # rolled back, customers too
    assert _through(session, shop, customers.READER) is None
    assert _through(session, other, rollup_settle.READER) is not None
    session.delete(stray)
    session.commit()
    assert settle_all(database) == Settled(shops=2)
    assert _through(session, shop, rollup_settle.READER) is not None


def test_a_large_shop_is_left_to_the_full_sync(
    database: Database, session: Session, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(session, shop, 3)
    monkeypatch.setattr(settling, "SMALL_SHOP", 2)

    settle_all(database)

    assert _through(session, shop, rollup_settle.READER) is not None
    assert _through(session, shop, customers.READER) is None
    assert _linked(session, shop) == 0


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_periodic_runs_at_most_every_interval_and_survives_a_failure(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock, runs = Clock(), []

    def job() -> None:
        runs.append(clock.now)
        if len(runs) == 2:
            raise RuntimeError("database away")

    periodic = Periodic(job, 60, clock=clock)
    asked = []
    with caplog.at_level(logging.ERROR, logger="barberbot.settling"):
        for step in (0, 30, 30, 59, 1, 61):
            clock.now += step
            asked.append(periodic.run_if_due())

    assert asked == [True, False, True, False, True, True]
    assert runs == [100, 160, 220, 281]
    assert [r.getMessage() for r in caplog.records] == ["settling failed; it runs again in 60 s"]
    assert "database away" in caplog.text


def _wait(condition: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("overrides", "settles"),
    [
        ({"environment": "development"}, True),  # `make run`: embedded SQLite, no worker
        ({"environment": "production"}, True),
        ({"environment": "production", "kafka_bootstrap_servers": "kafka:9092"}, False),
        ({"environment": "test"}, False),  # unless a test asks for it
        ({"environment": "test", "settle_in_serve": True}, True),
        ({"environment": "development", "settle_in_serve": False}, False),
    ],
)
def test_serve_settles_where_no_worker_does(overrides: dict[str, object], settles: bool) -> None:
    fields = {"secret_key": "a-production-secret-key-long-enough", **overrides}
    assert Settings(_env_file=None, **fields).settles_in_serve is settles  # type: ignore[arg-type]


def test_serve_settles_in_the_background_and_stops_with_the_app(
    settings: Settings, database: Database, session: Session, shop: Shop
) -> None:
    _fill(session, shop)
    asked = settings.model_copy(update={"settle_in_serve": True, "settle_interval_seconds": 0.05})

    with TestClient(create_app(asked, database)):
        _wait(lambda: _linked(session, shop) == 5)
        assert _through(session, shop, rollup_settle.READER) == settled.settled_before()
    _fill(session, shop, 2)  # after the shutdown: nobody settles them
    time.sleep(0.3)

    assert _linked(session, shop) == 5


def test_serve_logs_a_failing_round_and_goes_on(
    settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    empty = Database.from_url(f"sqlite:///{tmp_path / 'no-tables.db'}")  # never migrated
    asked = settings.model_copy(update={"settle_in_serve": True, "settle_interval_seconds": 0.05})

    with (
        caplog.at_level(logging.ERROR, logger="barberbot.settling"),
        TestClient(create_app(asked, empty)) as client,
    ):
        _wait(lambda: len(caplog.records) >= 3)
        health = client.get("/healthz")
    empty.engine.dispose()

    assert health.status_code == 200
    assert {r.getMessage() for r in caplog.records} == {"settling failed; it runs again in 0.05 s"}
    assert "no such table: shops" in caplog.text
