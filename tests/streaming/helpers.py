"""Worker processes, raw producers and consumers, and polling, for the streaming tests."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, Message, Producer
from sqlalchemy import func, select

from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.forms.definition import NO_FORM, FormDefinition
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Inquiry, Shop, Source
from barberbot.streaming import messages
from tests.factories import inquiry_payload
from tests.support.environment import settings_env

BARBERBOT = str(Path(sys.executable).parent / "barberbot")


class WorkerProcess:
    """`barberbot worker` in its own process, as production runs it."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [BARBERBOT, "worker"], env=settings_env(settings), stdout=self._log, stderr=self._log
        )

    def terminate(self, timeout: float = 15) -> float:
        """SIGTERM; returns how long the worker took to exit."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout)
        return time.monotonic() - started

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        self._log.close()


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def stored_count(database: Database) -> int:
    with database.sessions() as session:
        return session.scalar(select(func.count()).select_from(Inquiry)) or 0


def envelope(
    shop: Shop, index: int = 0, *, form: FormDefinition = NO_FORM, **overrides: Any
) -> tuple[uuid.UUID, bytes]:
    """A valid message for `shop` (answering `form`), as the API would publish it."""
    inquiry_id = uuid.uuid4()
    data = validate_inquiry(
        inquiry_payload(customer_name=f"Customer {index}", **overrides), shop.type_labels(), form
    )
    at = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(milliseconds=index)
    value = messages.encode(
        inquiry_id=inquiry_id,
        shop=shop.slug,
        received_at=at,
        source=Source.API,
        data=data,
        form_version=form.version,
    )
    return inquiry_id, value


def produce(settings: Settings, records: Iterable[tuple[bytes, bytes]], topic: str = "") -> None:
    """Write raw (key, value) records with a plain producer."""
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap_servers, "linger.ms": 20})
    for key, value in records:
        while True:
            try:
                producer.produce(topic or settings.kafka_topic, key=key, value=value)
                break
            except BufferError:
                producer.poll(0.1)
    assert producer.flush(30) == 0


def read_topic(settings: Settings, topic: str, count: int, timeout: float = 30) -> list[Message]:
    """Read `count` messages from the start of a topic with a throwaway consumer group."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.kafka_bootstrap_servers,
            "group.id": f"reader-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "session.timeout.ms": 6000,
            "heartbeat.interval.ms": 1000,
        }
    )
    consumer.subscribe([topic])
    found: list[Message] = []
    deadline = time.monotonic() + timeout
    try:
        while len(found) < count and time.monotonic() < deadline:
            found += [m for m in consumer.consume(500, 0.5) if m.error() is None]
    finally:
        consumer.close()
    return found
