"""The database or the broker goes away under load: nothing lost, nothing duplicated."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx2
import pytest
from sqlalchemy import select

from barberbot.app import create_app
from barberbot.core import migrate
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Inquiry
from barberbot.streaming.topics import ensure_topics
from tests.factories import inquiry_payload, make_shop
from tests.streaming.helpers import WorkerProcess, envelope, produce, stored_count, wait_until
from tests.support.kafka import KafkaBroker
from tests.support.live import LiveServer
from tests.support.mariadb import MariaDBServer


@pytest.fixture
def own_mariadb() -> Iterator[tuple[MariaDBServer, Database]]:
    """A MariaDB of this test's own, so it can be stopped without harming the others."""
    with MariaDBServer() as server:
        db = Database.from_url(server.url)
        migrate.upgrade(db.engine)
        yield server, db
        db.engine.dispose()


def test_mariadb_stopped_under_load_then_started_again(
    streaming_settings: Settings,
    own_mariadb: tuple[MariaDBServer, Database],
    start_worker: Callable[..., WorkerProcess],
) -> None:
    server, db = own_mariadb
    with db.sessions() as session:
        shop = make_shop(session, slug="kings", name="Kings")
    settings = streaming_settings.model_copy(
        update={"database_url": server.url, "worker_batch_size": 100}
    )
    sent = [envelope(shop, i) for i in range(3000)]
    produce(settings, [(b"kings", value) for _, value in sent[:1000]])
    worker = start_worker(settings)
    wait_until(lambda: stored_count(db) >= 200, 60, "some inquiries stored")

    server.stop_server()
    produce(settings, [(b"kings", value) for _, value in sent[1000:]])
    time.sleep(3)  # the worker meets the outage and backs off
    assert worker.process.poll() is None, "the worker must wait for the database, not die"
    server.start_server()
    wait_until(lambda: stored_count(db) >= 3000, 120, "everything stored after the outage")

    with db.sessions() as session:
        ids = list(session.scalars(select(Inquiry.id)))
    assert len(ids) == 3000
    assert "database unavailable; retrying the batch" in worker.log()
    assert set(ids) == {inquiry_id for inquiry_id, _ in sent}


def test_broker_down_the_outbox_keeps_accepted_inquiries_until_it_is_back(
    streaming_settings: Settings,
    database: Database,
    broker: KafkaBroker,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    with database.sessions() as session:
        shop = make_shop(session, slug="kings", name="Kings")
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    start_worker()
    with (
        LiveServer(create_app(streaming_settings, database)) as server,
        httpx2.Client(base_url=server.url, timeout=10) as client,
    ):
        for n in range(5):
            assert client.post(url, json=inquiry_payload(age=20 + n)).status_code == 202
        wait_until(lambda: stored_count(database) == 5, 60, "the first five stored")

        broker.stop()
        accepted = [client.post(url, json=inquiry_payload(age=40 + n)) for n in range(20)]
        assert {r.status_code for r in accepted} == {202}
        wait_until(lambda: client.get("/readyz").json()["broker"] == "down", 30, "broker down")
        during = client.get("/readyz").json()

        broker.start()  # an in-memory broker comes back empty: make the topics again
        ensure_topics(streaming_settings)
        wait_until(lambda: stored_count(database) == 25, 90, "the outbox to drain")
        after = client.get("/readyz").json()

    assert during["outbox_backlog"] == 20
    assert during["status"] == "ready"
    assert after["outbox_backlog"] == 0
    assert after["broker"] == "up"
    with database.sessions() as session:
        stored = set(session.scalars(select(Inquiry.id)))
    assert {str(i) for i in stored} >= {r.json()["id"] for r in accepted}
