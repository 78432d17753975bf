"""The worker against a real broker: crashes, poison messages, outages, shutdown."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from confluent_kafka import Message
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import CustomerInquiry, Inquiry, RollupCount
from tests.factories import make_shop
from tests.streaming.helpers import (
    WorkerProcess,
    envelope,
    produce,
    read_topic,
    stored_count,
    wait_until,
)
from tests.support.ports import free_port

TEN_THOUSAND = 10_000


def _stored_ids(session: Session) -> set[uuid.UUID]:
    session.expire_all()
    return set(session.scalars(select(Inquiry.id)))


def test_sigkill_mid_stream_then_restart_stores_exactly_the_ten_thousand(
    streaming_settings: Settings,
    database: Database,
    session: Session,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    shops = [make_shop(session, slug=f"loc-{n}", name=f"Location {n}") for n in range(4)]
    sent = [envelope(shops[i % 4], i) for i in range(TEN_THOUSAND)]
    settings = streaming_settings.model_copy(update={"worker_batch_size": 200})
    produce(settings, [(shops[i % 4].slug.encode(), value) for i, (_, value) in enumerate(sent)])

    first = start_worker(settings)
    wait_until(lambda: stored_count(database) >= 1500, 60, "the first worker to store some")
    first.kill()  # SIGKILL: no chance to finish or commit anything
    stored_at_kill = stored_count(database)
    start_worker(settings)
    wait_until(lambda: stored_count(database) >= TEN_THOUSAND, 120, "all 10,000 stored")

    assert stored_at_kill < TEN_THOUSAND
    assert stored_count(database) == TEN_THOUSAND
    assert _stored_ids(session) == {inquiry_id for inquiry_id, _ in sent}


def test_poison_messages_go_to_the_dlq_and_the_good_ones_around_them_are_stored(
    streaming_settings: Settings,
    database: Database,
    session: Session,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    shop = make_shop(session, slug="kings", name="Kings")
    good = [envelope(shop, i) for i in range(6)]
    _, old_version = envelope(shop, 90)
    _, bad_age = envelope(shop, 91)
    _, unknown_shop = envelope(shop, 92)
    poison = [
        b"\x00\xff not json at all",
        old_version.replace(b'"version":1', b'"version":99'),
        bad_age.replace(b'"age":34', b'"age":430'),
        unknown_shop.replace(b'"shop":"kings"', b'"shop":"nowhere"'),
    ]
    ok = [value for _, value in good]
    stream = [ok[0], poison[0], ok[1], poison[1], ok[2], poison[2], ok[3], poison[3], ok[4], ok[5]]
    produce(streaming_settings, [(b"kings", value) for value in stream])

    start_worker()
    dead = read_topic(streaming_settings, streaming_settings.kafka_dlq_topic, len(poison), 60)
    wait_until(lambda: stored_count(database) == len(good), 30, "the good messages")

    reasons = {(m.value() or b""): _header(m, "reason") for m in dead}
    assert set(reasons) == set(poison)  # the original bytes, untouched
    assert reasons[poison[0]] == "not JSON"
    assert reasons[poison[1]] == "unknown schema version 99"
    assert "age: Age must be between 1 and 120." in reasons[poison[2]]
    assert reasons[poison[3]] == "unknown shop 'nowhere'"
    assert _stored_ids(session) == {inquiry_id for inquiry_id, _ in good}


def _header(message: Message, name: str) -> str:
    value = dict(message.headers() or [])[name]
    return value.decode() if isinstance(value, bytes) else str(value)


def test_sigterm_stops_the_worker_cleanly_within_ten_seconds(
    streaming_settings: Settings,
    database: Database,
    session: Session,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    shop = make_shop(session, slug="kings", name="Kings")
    produce(streaming_settings, [(b"kings", envelope(shop, i)[1]) for i in range(50)])
    worker = start_worker()
    wait_until(lambda: stored_count(database) == 50, 60, "the batch to be stored")

    took = worker.terminate()

    assert worker.process.returncode == 0
    assert took < 10


def test_the_worker_serves_prometheus_metrics(
    streaming_settings: Settings,
    database: Database,
    session: Session,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    import httpx2

    shop = make_shop(session, slug="kings", name="Kings")
    port = free_port()
    settings = streaming_settings.model_copy(update={"worker_metrics_port": port})
    produce(settings, [(b"kings", envelope(shop, i)[1]) for i in range(20)] + [(b"k", b"junk")])
    start_worker(settings)
    wait_until(lambda: stored_count(database) == 20, 60, "the messages to be stored")

    def scraped() -> str:
        try:
            return httpx2.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
        except httpx2.HTTPError:
            return ""

    wait_until(lambda: "barberbot_inquiries_dead_lettered_total 1.0" in scraped(), 20, "metrics")
    text = scraped()
    assert "barberbot_inquiries_stored_total 20.0" in text
    assert "barberbot_worker_batch_seconds_count" in text
    assert "barberbot_consumer_lag{" in text
    assert "barberbot_broker_up 1.0" in text  # a consuming worker says its broker is up


def _settled_by_worker(database: Database, shop_id: int) -> tuple[int, int]:
    """(inquiries in the rollups' one-day rows, inquiries linked to customers)."""
    with database.sessions() as session:
        rolled = select(func.coalesce(func.sum(RollupCount.inquiries), 0)).where(
            RollupCount.shop_id == shop_id, RollupCount.level == 0
        )
        linked = select(func.count()).where(CustomerInquiry.shop_id == shop_id)
        return session.scalar(rolled) or 0, session.scalar(linked) or 0


def test_the_worker_settles_what_it_stored_between_batches(
    streaming_settings: Settings,
    database: Database,
    session: Session,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    shop = make_shop(session, slug="kings", name="Kings")
    settings = streaming_settings.model_copy(update={"settle_interval_seconds": 0.5})
    produce(settings, [(b"kings", envelope(shop, i)[1]) for i in range(30)])  # a settled day

    start_worker(settings)
    wait_until(lambda: stored_count(database) == 30, 60, "the messages to be stored")
    wait_until(lambda: _settled_by_worker(database, shop.id) == (30, 30), 30, "settling")
