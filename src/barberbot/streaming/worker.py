"""`barberbot worker`: the consumer loop around the pure handler.

Read a batch, store it in one database transaction, send dead letters, and only then commit
the offsets. A database outage (MongoDB's too, when it keeps the answers) stops the loop on
the same batch (partitions paused, the group membership kept) until the database is back;
SIGTERM stops it between steps, committing nothing that was not stored.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from barberbot.analytics.settling import Periodic, settle_all
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.forms.store import AnswersUnavailable
from barberbot.forms.stores import answer_store_for
from barberbot.streaming import kafka_config, metrics
from barberbot.streaming.handler import BatchResult, DeadLetter, Record, handle

log = logging.getLogger("barberbot.worker")
_OUTAGES = (OperationalError, InterfaceError, AnswersUnavailable)
MAX_BACKOFF = 5.0


class Worker:
    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.database = database
        self.answers = answer_store_for(settings)
        self.stopping = threading.Event()
        self._consumer = Consumer(
            {**kafka_config.consumer(settings), "error_cb": _on_kafka_error}, logger=log
        )
        self._dlq = Producer(kafka_config.producer(settings), logger=log)
        # the writers' side settles (analytics/settling.py): between batches, at most every
        # BARBERBOT_SETTLE_INTERVAL_SECONDS, so a batch is settled even if none follows it
        self._settling = Periodic(
            lambda: settle_all(database, stopping=self.stopping), settings.settle_interval_seconds
        )

    def stop(self) -> None:
        self.stopping.set()

    def run(self) -> None:
        self._consumer.subscribe([self.settings.kafka_topic], on_assign=_broker_answered)
        log.info("worker started", extra={"topic": self.settings.kafka_topic})
        try:
            while not self.stopping.is_set():
                batch = self._consumer.consume(
                    self.settings.worker_batch_size, self.settings.worker_batch_wait_seconds
                )
                records = self._records(batch)
                if records:
                    self._process(batch, records)
                self._settling.run_if_due()
        finally:
            self._consumer.close()  # leaves the group at once, so partitions move quickly
            self._dlq.flush(5)
            self.answers.close()
            log.info("worker stopped")

    def _records(self, batch: Sequence[Message]) -> list[Record]:
        records = []
        for message in batch:
            error = message.error()
            if error is not None:
                if error.code() != KafkaError._PARTITION_EOF:
                    log.warning("consumer error", extra={"error": str(error)})
                continue
            metrics.BROKER_UP.set(1)  # a message came from it
            records.append(
                Record(
                    value=message.value(),
                    key=message.key(),
                    partition=message.partition() or 0,
                    offset=message.offset() or 0,
                )
            )
        return records

    def _process(self, batch: Sequence[Message], records: list[Record]) -> None:
        started = time.perf_counter()
        result = self._store(records)
        if result is None:
            return  # stopping: nothing committed, the batch comes again
        self._dead_letter(result.dead)
        self._commit(batch)
        metrics.STORED.inc(result.stored)
        metrics.REDELIVERED.inc(result.redelivered)
        metrics.BATCH_SECONDS.observe(time.perf_counter() - started)
        self._report_lag()

    def _store(self, records: list[Record]) -> BatchResult | None:
        """Store the batch, retrying with backoff while the database is down."""
        backoff = 0.2
        paused = False
        try:
            while not self.stopping.is_set():
                try:
                    with self.database.transaction() as session:
                        return handle(session, records, self.answers)
                # IntegrityError: another worker stored one of these ids a moment ago (a
                # rebalance); written again, the batch finds it stored
                except (
                    OperationalError,
                    InterfaceError,
                    IntegrityError,
                    AnswersUnavailable,
                ) as error:
                    if not paused:
                        self._consumer.pause(self._consumer.assignment())
                        paused = True
                    metrics.DATABASE_RETRIES.inc()
                    log.warning(
                        "database unavailable; retrying the batch",
                        extra={"error": _cause(error), "wait": backoff},
                    )
                    self._wait(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF)
            return None
        finally:
            if paused:
                self._consumer.resume(self._consumer.assignment())

    def _wait(self, seconds: float) -> None:
        """Sleep while serving the consumer, so the group keeps this member."""
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set() and time.monotonic() < deadline:
            message = self._consumer.poll(0.1)  # our partitions are paused
            if message is not None and message.error() is None:
                # A partition assigned during the wait: rewind it, so nothing is skipped.
                rewind = TopicPartition(
                    message.topic() or "", message.partition() or 0, message.offset() or 0
                )
                self._consumer.seek(rewind)
                self._consumer.pause([rewind])

    def _dead_letter(self, dead: list[DeadLetter]) -> None:
        for letter in dead:
            self._dlq.produce(
                self.settings.kafka_dlq_topic,
                key=letter.record.key,
                value=letter.record.value,
                headers={
                    "reason": letter.reason.encode(),
                    "source.topic": self.settings.kafka_topic.encode(),
                    "source.partition": str(letter.record.partition).encode(),
                    "source.offset": str(letter.record.offset).encode(),
                },
            )
            log.warning("dead-lettered a message", extra={"reason": letter.reason})
        if dead:
            remaining = self._dlq.flush(30)
            if remaining:
                raise RuntimeError(f"{remaining} dead letters not acknowledged; not committing")
            metrics.DEAD_LETTERED.inc(len(dead))

    def _commit(self, batch: Sequence[Message]) -> None:
        last: dict[tuple[str, int], int] = {}
        for message in batch:
            if message.error() is None:
                key = (message.topic() or "", message.partition() or 0)
                last[key] = max(last.get(key, -1), message.offset() or 0)
        offsets = [TopicPartition(t, p, o + 1) for (t, p), o in last.items()]
        if offsets:
            try:
                self._consumer.commit(offsets=offsets, asynchronous=False)
            except Exception as error:  # a rebalance took the partitions: they will be redelivered
                log.warning("offset commit failed", extra={"error": str(error)})

    def _report_lag(self) -> None:
        for partition in self._consumer.assignment():
            try:
                _, high = self._consumer.get_watermark_offsets(partition, cached=True)
                (position,) = self._consumer.position([partition])
            except Exception:
                continue
            if position.offset >= 0 and high >= 0:
                metrics.CONSUMER_LAG.labels(partition=str(partition.partition)).set(
                    high - position.offset
                )


def _broker_answered(*_: object) -> None:
    """The group coordinator assigned partitions: the broker is up."""
    metrics.BROKER_UP.set(1)


def _on_kafka_error(error: KafkaError) -> None:
    """librdkafka's own errors: losing every broker is what `broker_up` reports."""
    if error.code() in (KafkaError._ALL_BROKERS_DOWN, KafkaError._TRANSPORT):
        metrics.BROKER_UP.set(0)
    log.warning("kafka error", extra={"error": str(error)})


def _cause(error: Exception) -> str:
    cause = getattr(error, "orig", None) or error.__cause__ or error
    return type(cause).__name__
