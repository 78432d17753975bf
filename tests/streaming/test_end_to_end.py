"""HTTP -> outbox -> Kafka -> two worker processes -> the database, for real."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable

import httpx2
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.app import create_app
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Inquiry
from tests.factories import inquiry_payload, make_shop
from tests.streaming.helpers import WorkerProcess, read_topic, stored_count, wait_until
from tests.support.live import LiveServer

PER_SHOP = 100


def test_every_inquiry_is_stored_once_and_each_shops_order_is_kept(
    streaming_settings: Settings,
    database: Database,
    session: Session,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    shops = [make_shop(session, slug=f"shop-{n}", name=f"Shop {n}") for n in range(3)]
    workers = [start_worker(), start_worker()]
    sent: dict[str, list[str]] = defaultdict(list)

    with (
        LiveServer(create_app(streaming_settings, database)) as server,
        httpx2.Client(base_url=server.url) as client,
    ):
        for n in range(PER_SHOP):
            for shop in shops:
                response = client.post(
                    f"/api/v1/shops/{shop.slug}/inquiries",
                    json=inquiry_payload(customer_name=f"Zoë {n} 💈", age=18 + n % 60),
                )
                assert response.status_code == 202, response.text
                assert response.json()["status"] == "queued"
                sent[shop.slug].append(response.json()["id"])
        wait_until(lambda: stored_count(database) == 3 * PER_SHOP, 60, "all inquiries stored")
        readiness = client.get("/readyz").json()
        metrics = client.get("/metrics").text

    stored = list(session.scalars(select(Inquiry)))
    assert sorted(str(i.id) for i in stored) == sorted(i for ids in sent.values() for i in ids)
    assert {i.customer_name for i in stored} >= {"Zoë 0 💈", f"Zoë {PER_SHOP - 1} 💈"}
    assert all(w.process.poll() is None for w in workers)
    assert readiness["outbox_backlog"] == 0
    assert readiness["broker"] == "up"
    assert 'barberbot_inquiries_accepted_total{mode="stream"}' in metrics
    assert "barberbot_inquiries_published_total" in metrics
    # On the topic, each shop's messages are in the order they were accepted.
    on_topic: dict[str, list[str]] = defaultdict(list)
    for message in read_topic(streaming_settings, streaming_settings.kafka_topic, 3 * PER_SHOP):
        on_topic[(message.key() or b"").decode()].append(json.loads(message.value() or b"")["id"])
    assert on_topic == sent
