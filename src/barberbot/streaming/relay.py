"""Relays the outbox to Kafka in the background, surviving broker outages."""

from __future__ import annotations

import fcntl
import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

from barberbot.streaming import metrics
from barberbot.streaming.outbox import Outbox, Pending

log = logging.getLogger("barberbot.relay")

BATCH = 500
MAX_BACKOFF = 5.0


class Relay:
    """One thread per outbox file (a file lock keeps other processes' relays on standby)."""

    def __init__(self, outbox: Outbox, topic: str, producer_config: dict[str, Any]) -> None:
        self.outbox = outbox
        self.topic = topic
        self._config = producer_config
        self._producer: Producer | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._lock_file: Any = None
        # Past message.timeout.ms every message has been delivered or failed.
        self._flush_timeout = int(producer_config.get("message.timeout.ms", 300_000)) / 1000 + 5
        self.broker_state = "unknown"

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        with self.outbox.added:
            self.outbox.added.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        if not self._acquire_file_lock():
            return
        backoff = 0.1
        while not self._stop.is_set():
            pending = self.outbox.peek(BATCH)
            metrics.OUTBOX_BACKLOG.set(self.outbox.backlog() if pending else 0)
            if not pending:
                with self.outbox.added:
                    self.outbox.added.wait(timeout=0.5)
                continue
            if self._send_safely(pending):
                backoff = 0.1
            else:
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
        if self._producer is not None:
            self._producer.flush(2)
            self._producer = None
        self._lock_file.close()  # releases the lock for another process's relay

    def _acquire_file_lock(self) -> bool:
        lock_path = Path(str(self.outbox.path) + ".relay.lock")
        self._lock_file = lock_path.open("w")
        while not self._stop.is_set():
            try:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                self._stop.wait(1.0)
        return False

    def _send_safely(self, pending: list[Pending]) -> bool:
        """`_send`, but an unexpected error backs off instead of ending the relay thread."""
        try:
            return self._send(pending)
        except Exception:
            log.exception("outbox relay failed; will retry")
            self._producer = None
            return False

    def _send(self, pending: list[Pending]) -> bool:
        """Publish in order; delete what the broker acknowledged. False means back off."""
        producer = self._producer or Producer(self._config, logger=log)
        self._producer = producer
        delivered: list[int] = []
        failures: list[KafkaError] = []

        def on_delivery(error: KafkaError | None, _: Message, seq: int) -> None:
            if error is None:
                delivered.append(seq)
            else:
                failures.append(error)

        for item in pending:
            self._produce(producer, item, on_delivery)
        producer.flush(timeout=self._flush_timeout)  # every delivery callback has run by then
        self.outbox.remove(delivered)
        metrics.PUBLISHED.inc(len(delivered))
        if failures:
            self._on_failures(failures)
            return False
        self.broker_state = "up"
        metrics.BROKER_UP.set(1)
        return True

    def _produce(self, producer: Producer, item: Pending, on_delivery: Callable[..., None]) -> None:
        while True:
            try:
                producer.produce(
                    self.topic,
                    key=item.key,
                    value=item.value,
                    on_delivery=functools.partial(on_delivery, seq=item.seq),
                )
                return
            except BufferError:  # the local queue is full: let it drain
                producer.poll(0.1)

    def _on_failures(self, failures: list[KafkaError]) -> None:
        self.broker_state = "down"
        metrics.BROKER_UP.set(0)
        log.warning("kafka publish failed; will retry", extra={"error": str(failures[0])})
        # An idempotent producer that lost its broker's state must be replaced.
        if self._producer is not None:
            self._producer.flush(0)
        self._producer = None
