"""Streaming throughput: the worker alone, and HTTP -> Kafka -> worker -> MariaDB end to end.

Both are reported beside a raw PyMySQL `executemany` of the same rows into the same MariaDB,
measured in the same run (the baseline). Everything runs for real on loopback: a throwaway
MariaDB, the tansu Kafka-protocol broker, `barberbot worker` and `barberbot serve` processes.

    .venv/bin/python bench/streaming.py [--messages 100000] [--http 3000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pymysql
from confluent_kafka import Producer
from sqlalchemy import delete, func, select

from barberbot.core import migrate
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Inquiry, Shop, Source
from barberbot.shops import service as shops
from barberbot.streaming import messages
from barberbot.streaming.topics import ensure_topics
from tests.support.environment import settings_env
from tests.support.kafka import KafkaBroker
from tests.support.mariadb import MariaDBServer
from tests.support.ports import free_port, wait_for_port

BIN = Path(sys.executable).parent
SHOPS = 8
PARTITIONS = 4
Prepared = list[tuple[bytes, bytes, dict[str, Any]]]  # (key, value, the row it becomes)
NAMES = ["José Álvarez", "Zoë Núñez", "Kwame Mensah", "Liam O'Connor", "Chloé Dubois"]


@dataclass
class Result:
    name: str
    count: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.count / self.seconds


def payload(n: int) -> dict[str, Any]:
    return {
        "customer_name": f"{NAMES[n % len(NAMES)]} {n}",
        "age": 16 + n % 60,
        "gender": ["male", "female", "non_binary", "prefer_not_to_say"][n % 4],
        "inquiry_type": ["haircut", "beard_trim", "shave", "kids_cut"][n % 4],
        "email": f"customer{n}@example.com",
        "phone": f"+44 7700 9{n % 100000:05d}",
        "message": "Saturday morning? 💈",
        "marketing_consent": n % 2 == 0,
    }


def prepare_messages(all_shops: list[Shop], count: int) -> Prepared:
    """(key, value, row) for `count` inquiries: the message and the row it should become."""
    prepared = []
    for n in range(count):
        shop = all_shops[n % len(all_shops)]
        data = validate_inquiry(payload(n), shop.type_labels())
        capture = prepare(shop, data, source=Source.API)
        row = capture.values
        value = messages.encode(
            inquiry_id=capture.id,
            shop=shop.slug,
            received_at=capture.received_at,
            source=Source.API,
            data=capture.with_consent_text(),
        )
        prepared.append((shop.slug.encode(), value, row))
    return prepared


def raw_executemany(server: MariaDBServer, rows: list[dict[str, Any]], batch: int) -> Result:
    """The baseline: PyMySQL executemany of ready tuples, committed per batch like the worker."""
    columns = list(rows[0])
    sql = (
        f"INSERT INTO inquiries ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    )
    tuples = [tuple(_db_value(row[c]) for c in columns) for row in rows]
    connection = pymysql.connect(
        host="127.0.0.1",
        port=server.port,
        user="barberbot",
        password="barberbot-test",
        database="barberbot",
        charset="utf8mb4",
    )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for start in range(0, len(tuples), batch):
            cursor.executemany(sql, tuples[start : start + batch])
            connection.commit()
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM inquiries")
    connection.commit()
    connection.close()
    return Result("raw PyMySQL executemany", len(rows), seconds)


def _db_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def produce_all(bootstrap: str, topic: str, records: list[tuple[bytes, bytes]]) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.size": 1_000_000})
    for key, value in records:
        while True:
            try:
                producer.produce(topic, key=key, value=value)
                break
            except BufferError:
                producer.poll(0.05)
    assert producer.flush(60) == 0


def count_rows(db: Database) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(Inquiry)) or 0


@dataclass
class Progress:
    """When rows were first seen (and how many there were then), and when all were there."""

    first_seen: float
    rows_at_first_sight: int
    done: float


def wait_for_rows(db: Database, target: int, timeout: float) -> Progress:
    first: tuple[float, int] | None = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = count_rows(db)
        now = time.perf_counter()
        if count and first is None:
            first = (now, count)
        if count >= target:
            seen_at, seen = first or (now, count)
            return Progress(seen_at, seen, now)
        time.sleep(0.02)
    raise TimeoutError(f"only {count_rows(db)} of {target} rows after {timeout}s")


def env_for(settings: Settings) -> dict[str, str]:
    return settings_env(settings, secret_key="bench-secret-key", log_level="WARNING")


def worker_only(settings: Settings, db: Database, prepared: Prepared, workers: int) -> Result:
    produce_all(
        settings.kafka_bootstrap_servers,
        settings.kafka_topic,
        [(key, value) for key, value, _ in prepared],
    )
    processes = [
        subprocess.Popen([str(BIN / "barberbot"), "worker"], env=env_for(settings))
        for _ in range(workers)
    ]
    try:
        progress = wait_for_rows(db, len(prepared), 600)
        # Only the rows stored between the first poll that saw any and the one that saw all:
        # the worker's start-up and group join are not its storing rate.
        label = f"worker x{workers}: topic -> MariaDB"
        stored = len(prepared) - progress.rows_at_first_sight
        return Result(label, stored, progress.done - progress.first_seen)
    finally:
        for process in processes:
            process.terminate()
            process.wait(15)


def end_to_end(settings: Settings, db: Database, count: int, concurrency: int) -> Result:
    port = free_port()
    serve_settings = settings.model_copy(update={"port": port, "rate_limit_per_minute": 0})
    env = env_for(serve_settings)
    server = subprocess.Popen(
        [
            str(BIN / "uvicorn"),
            "barberbot.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    worker = subprocess.Popen([str(BIN / "barberbot"), "worker"], env=env)
    try:
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}/api/v1/shops/shop-{{}}/inquiries"
        with httpx2.Client(timeout=30) as client, ThreadPoolExecutor(concurrency) as pool:

            def submit(numbers: range) -> None:
                statuses = set(
                    pool.map(
                        lambda n: client.post(url.format(n % SHOPS), json=payload(n)).status_code,
                        numbers,
                    )
                )
                if statuses != {202}:
                    raise RuntimeError(f"unexpected statuses: {sorted(statuses)}")

            warm_up = 200  # the worker joins its group and the server warms up first
            submit(range(warm_up))
            wait_for_rows(db, warm_up, 120)
            started = time.perf_counter()
            submit(range(warm_up, warm_up + count))
            done = wait_for_rows(db, warm_up + count, 600).done
        return Result("end to end: HTTP -> Kafka -> worker -> MariaDB", count, done - started)
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--http", type=int, default=3000, help="inquiries sent over HTTP")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--batch", type=int, default=1000, help="messages per worker batch")
    args = parser.parse_args()

    with MariaDBServer() as server, KafkaBroker() as broker, tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(server.url)
        migrate.upgrade(db.engine)
        with db.transaction() as session:
            all_shops = [
                shops.create(session, slug=f"shop-{n}", name=f"Shop {n}") for n in range(SHOPS)
            ]
        settings = Settings(
            database_url=server.url,
            data_dir=Path(tmp),
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_partitions=PARTITIONS,
            worker_metrics_port=0,
            worker_batch_size=args.batch,
        )
        ensure_topics(settings)
        prepared = prepare_messages(all_shops, args.messages)
        baseline = raw_executemany(
            server, [row for _, _, row in prepared], settings.worker_batch_size
        )
        worker = worker_only(settings, db, prepared, args.workers)
        with db.transaction() as session:
            session.execute(delete(Inquiry))
        e2e_settings = settings.model_copy(
            update={"kafka_topic": "bench.e2e.v1", "kafka_consumer_group": "bench-e2e"}
        )
        ensure_topics(e2e_settings)
        e2e = end_to_end(e2e_settings, db, args.http, args.concurrency)
        db.engine.dispose()

    print(f"\n{'run':<50} {'inquiries':>10} {'seconds':>8} {'per second':>11} {'vs raw':>7}")
    for result in (baseline, worker, e2e):
        print(
            f"{result.name:<50} {result.count:>10} {result.seconds:>8.2f} "
            f"{result.rate:>11,.0f} {result.rate / baseline.rate:>6.2f}x"
        )
    ok = worker.rate >= 0.5 * baseline.rate and worker.rate >= 10_000
    print(f"\nworker target (>= 0.5x raw and >= 10,000/s): {'MET' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
