from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from barberbot.core.settings import Settings
from barberbot.forms.store import AnswerStore
from barberbot.forms.stores import answer_store_for
from barberbot.streaming.topics import ensure_topics
from tests.streaming.helpers import WorkerProcess
from tests.support.kafka import KafkaBroker


@pytest.fixture(scope="session")
def broker() -> Iterator[KafkaBroker]:
    with KafkaBroker() as broker:
        yield broker


@pytest.fixture
def streaming_settings(settings: Settings, broker: KafkaBroker, tmp_path: Path) -> Settings:
    """Settings with Kafka on, and topics and a consumer group of this test's own."""
    run = uuid.uuid4().hex[:8]
    configured = settings.model_copy(
        update={
            "kafka_bootstrap_servers": broker.bootstrap_servers,
            "kafka_topic": f"inquiries-{run}",
            "kafka_dlq_topic": f"dlq-{run}",
            "kafka_consumer_group": f"workers-{run}",
            "kafka_topic_partitions": 4,
            "kafka_producer_config": {"message.timeout.ms": "4000"},
            "outbox_path": tmp_path / "outbox.db",
            "worker_batch_wait_seconds": 0.2,
            "worker_metrics_port": 0,
        }
    )
    ensure_topics(configured)
    return configured


@pytest.fixture
def start_worker(
    streaming_settings: Settings, tmp_path: Path
) -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(settings: Settings | None = None) -> WorkerProcess:
        worker = WorkerProcess(settings or streaming_settings, tmp_path / "worker.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.close()


@pytest.fixture
def answer_settings(streaming_settings: Settings, mongodb_url: str | None) -> Settings:
    """Streaming settings with this test's answer store: the SQL table, or MongoDB."""
    if mongodb_url is None:
        return streaming_settings
    return streaming_settings.model_copy(
        update={"mongodb_url": SecretStr(mongodb_url), "mongodb_timeout_ms": 1000}
    )


@pytest.fixture
def answer_store(answer_settings: Settings) -> Iterator[AnswerStore]:
    store = answer_store_for(answer_settings)
    yield store
    store.close()
