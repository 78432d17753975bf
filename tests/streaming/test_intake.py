"""With Kafka configured, every entry point queues (202) instead of storing (201)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.app import create_app
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Inquiry, Shop, Source
from barberbot.streaming import kafka_config
from barberbot.streaming.intake import StreamIntake
from barberbot.streaming.messages import decode
from barberbot.streaming.outbox import Outbox
from tests.factories import inquiry_payload


@pytest.fixture
def queued_client(streaming_settings: Settings, database: Database) -> Iterator[TestClient]:
    # No worker runs: what the API accepted stays in the outbox or on the topic.
    with TestClient(create_app(streaming_settings, database)) as client:
        yield client


def _stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


def test_the_api_answers_202_with_the_id_and_stores_nothing_itself(
    queued_client: TestClient, shop: Shop, session: Session
) -> None:
    response = queued_client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(marketing_consent=True)
    )

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert response.headers["location"].endswith(body["id"])
    assert _stored(session) == 0


def test_an_idempotent_retry_gets_the_same_id(
    queued_client: TestClient, shop: Shop, streaming_settings: Settings
) -> None:
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    headers = {"Idempotency-Key": "desk-1"}

    first = queued_client.post(url, json=inquiry_payload(), headers=headers)
    second = queued_client.post(url, json=inquiry_payload(), headers=headers)
    conflict = queued_client.post(url, json=inquiry_payload(age=70), headers=headers)

    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["idempotent-replayed"] == "true"
    assert conflict.status_code == 409


def test_the_web_form_queues_with_the_consent_text_shown(
    streaming_settings: Settings, database: Database, shop: Shop, session: Session
) -> None:
    outbox_path = streaming_settings.resolved_outbox_path
    broken = streaming_settings.model_copy(update={"kafka_bootstrap_servers": "127.0.0.1:1"})
    form = {k: str(v) for k, v in inquiry_payload(marketing_consent="yes").items()}
    with TestClient(create_app(broken, database)) as client:
        response = client.post(f"/s/{shop.slug}/inquire", data=form, follow_redirects=False)
        readiness = client.get("/readyz").json()

    assert response.status_code == 303
    assert readiness["outbox_backlog"] == 1
    [pending] = Outbox(outbox_path).peek(10)
    message = decode(pending.value)
    assert message.source.value == "web_form"
    assert message.inquiry["consent_text"] == shop.effective_consent_text()
    assert _stored(session) == 0


def test_security_settings_reach_librdkafka(settings: Settings) -> None:
    managed = settings.model_copy(
        update={
            "kafka_bootstrap_servers": "kafka-1.example:9093",
            "kafka_security_protocol": "SASL_SSL",
            "kafka_sasl_mechanism": "SCRAM-SHA-512",
            "kafka_sasl_username": "barberbot",
            "kafka_sasl_password": "s3cret",
            "kafka_ssl_ca_location": "/etc/ssl/ca.pem",
            "kafka_consumer_config": {"fetch.min.bytes": "1024"},
        }
    )
    managed = Settings.model_validate(managed.model_dump())

    consumer = kafka_config.consumer(managed)
    producer = kafka_config.producer(managed)

    assert consumer["security.protocol"] == producer["security.protocol"] == "SASL_SSL"
    assert consumer["sasl.password"] == "s3cret"
    assert consumer["ssl.ca.location"] == "/etc/ssl/ca.pem"
    assert consumer["fetch.min.bytes"] == "1024"
    assert consumer["enable.auto.commit"] is False
    assert producer["enable.idempotence"] is True
    assert producer["acks"] == "all"


def test_concurrent_submissions_share_the_outbox_commits(tmp_path: Path, shop: Shop) -> None:
    """Group commit with Kafka: a burst costs a few fsynced transactions, not one each."""
    outbox = Outbox(tmp_path / "outbox.db")
    intake = StreamIntake(outbox)
    commits: list[str] = []
    outbox._db.set_trace_callback(lambda sql: commits.append(sql) if sql == "COMMIT" else None)
    data = validate_inquiry(inquiry_payload(), shop.type_labels())
    keyed = [prepare(shop, data, source=Source.API, idempotency_key=f"k{n}") for n in range(100)]
    fresh = [prepare(shop, data, source=Source.API) for _ in range(100)]

    async def burst() -> list[Any]:
        calls = [intake.submit(shop, capture) for capture in keyed + fresh + keyed[:10]]
        return await asyncio.gather(*calls)

    with ThreadPoolExecutor(1) as pool:
        accepted = pool.submit(asyncio.run, burst()).result()
    intake.close()

    assert [a.replayed for a in accepted] == [False] * 200 + [True] * 10
    assert [a.id for a in accepted[:200]] == [c.id for c in keyed + fresh]
    assert Outbox(tmp_path / "outbox.db").backlog() == 200
    assert len(commits) <= 20
