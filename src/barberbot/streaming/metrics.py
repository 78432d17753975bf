"""Prometheus metrics of the Kafka path: the relay and the worker (capture's own count of
accepted inquiries is `inquiries.metrics.ACCEPTED`)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PUBLISHED = Counter(
    "barberbot_inquiries_published_total", "Inquiries acknowledged by the Kafka broker."
)
STORED = Counter("barberbot_inquiries_stored_total", "Inquiries newly stored by the worker.")
REDELIVERED = Counter(
    "barberbot_inquiries_redelivered_total", "Messages whose inquiry was already stored."
)
DEAD_LETTERED = Counter(
    "barberbot_inquiries_dead_lettered_total", "Messages sent to the dead-letter topic."
)
OUTBOX_BACKLOG = Gauge("barberbot_outbox_backlog", "Accepted inquiries not yet in Kafka.")
BROKER_UP = Gauge(
    "barberbot_broker_up",
    "1 while Kafka answers: the API's last publish succeeded; the worker was assigned "
    "partitions or received messages since it last lost every broker.",
)
CONSUMER_LAG = Gauge(
    "barberbot_consumer_lag", "Messages behind the end of each assigned partition.", ["partition"]
)
BATCH_SECONDS = Histogram(
    "barberbot_worker_batch_seconds",
    "Time to store one batch and commit its offsets.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DATABASE_RETRIES = Counter(
    "barberbot_worker_database_retries_total", "Batches retried because the database failed."
)
