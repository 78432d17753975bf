"""The topology the Kubernetes manifests describe, rehearsed on one machine under load.

On loopback: MariaDB, the tansu Kafka-protocol broker, SecantusDB (the MongoDB-wire server) when
the settings read BARBERBOT_MONGODB_URL, `barberbot db upgrade` (the migrations Job), 2 workers
(`barberbot worker`) and 2 API replicas (`barberbot serve`, each with its own outbox, as each
pod has its own volume). 20 shops send inquiries through both replicas for a fixed time; in
the middle one API replica and one worker are SIGKILLed and restarted (as the kubelet restarts
a container: same port, same outbox). At the end every accepted (202) inquiry must be in the
database exactly once.

    .venv/bin/python deploy/rehearsal.py [--seconds 60] [--workers 2] [--json]

Prints accepted, stored, duplicates, lost and throughput; exits 1 if anything was lost or
stored twice.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import func, select

from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Inquiry
from barberbot.shops import service as shops
from barberbot.streaming.topics import ensure_topics
from tests.support.environment import settings_env
from tests.support.kafka import KafkaBroker
from tests.support.mariadb import MariaDBServer
from tests.support.mongo import MongoServer
from tests.support.ports import free_port

BIN = Path(sys.executable).parent
SHOPS = 20
PARTITIONS = 6  # as BARBERBOT_KAFKA_TOPIC_PARTITIONS in deploy/k8s/base
TYPES = ("haircut", "beard_trim", "shave", "kids_cut")
GENDERS = ("male", "female", "non_binary", "prefer_not_to_say")
# a restarted worker rejoins its group within the consumers' session timeout (6 s) and a
# rebalance; the killed one's partitions wait that long
REJOIN_SECONDS = 10.0


class Role:
    """One container of the manifests: a `barberbot` process that can be killed and restarted."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name, self.args, self.env = name, args, env
        self.log_path = logs / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def start(self) -> Role:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(BIN / "barberbot"), *self.args], env=self.env, stdout=log, stderr=log
            )
        return self

    def kill(self) -> None:
        """SIGKILL, as an OOM kill or a node failure would."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def restart(self) -> None:
        self.restarts += 1
        self.start()


@dataclass
class Tally:
    """What the load generator saw; shared by its threads under one lock."""

    accepted: dict[str, tuple[int, float]] = field(default_factory=dict)  # id -> (marker, when)
    by_replica: Counter[str] = field(default_factory=Counter)  # replica's URL -> 202s
    statuses: Counter[str] = field(default_factory=Counter)
    failovers: int = 0
    in_flight_lost: int = 0  # sent, then the connection died: accepted or not, nobody knows
    lock: threading.Lock = field(default_factory=threading.Lock)


def payload(n: int) -> dict[str, Any]:
    return {
        "customer_name": f"Rehearsal Customer {n}",
        "age": 18 + n % 60,
        "gender": GENDERS[n % len(GENDERS)],
        "inquiry_type": TYPES[n % len(TYPES)],
        "email": f"customer{n}@example.com",
        "message": f"rehearsal-{n}",  # the marker that finds a request stored twice
        "marketing_consent": n % 2 == 0,
    }


def send_load(urls: list[str], seconds: float, threads: int, tally: Tally) -> float:
    """Post inquiries from `threads` clients through the replicas in turn; returns the time."""
    numbers = itertools.count()
    deadline = time.monotonic() + seconds

    def client() -> None:
        with httpx2.Client(timeout=10) as http:
            while time.monotonic() < deadline:
                n = next(numbers)
                _post(http, urls, n, tally)

    started = time.monotonic()
    pool = [threading.Thread(target=client) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return time.monotonic() - started


def _post(http: httpx2.Client, urls: list[str], n: int, tally: Tally) -> None:
    """One inquiry; a refused connection (nothing sent) goes to the other replica, as a
    Service would send it."""
    for attempt in range(len(urls)):
        base = urls[(n + attempt) % len(urls)]
        try:
            response = http.post(f"{base}/api/v1/shops/shop-{n % SHOPS}/inquiries", json=payload(n))
        except httpx2.ConnectError:
            with tally.lock:
                tally.failovers += 1
            continue
        except httpx2.TransportError:
            with tally.lock:
                tally.in_flight_lost += 1
            return
        with tally.lock:
            tally.statuses[str(response.status_code)] += 1
            if response.status_code == 202:
                tally.accepted[response.json()["id"]] = (n, time.monotonic())
                tally.by_replica[base] += 1
        return
    with tally.lock:
        tally.statuses["no replica answered"] += 1
    time.sleep(0.05)


class StoredWatcher:
    """Polls the database and notes when each inquiry was first seen there."""

    def __init__(self, database: Database, interval: float = 0.2) -> None:
        self.database, self.interval = database, interval
        self.seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> StoredWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()

    def poll(self) -> None:
        with self.database.sessions() as session:
            self.note(session.scalars(select(Inquiry.id)).all())

    def note(self, ids: Sequence[Any]) -> None:
        now = time.monotonic()
        for inquiry_id in ids:
            self.seen.setdefault(str(inquiry_id), now)


@dataclass
class KillWindow:
    """From the SIGKILL until the restarted worker can have rejoined its group."""

    start: float = float("inf")
    end: float = float("inf")

    def holds(self, moment: float) -> bool:
        return self.start <= moment <= self.end


def chaos(
    api: Role, worker: Role, at: float, down: float, events: list[str], window: KillWindow
) -> None:
    """SIGKILL one API replica and one worker at `at` seconds; restart them `down` later."""
    time.sleep(at)
    window.start = time.monotonic()
    api.kill()
    worker.kill()
    events.append(f"{at:.0f}s: SIGKILL {api.name} and {worker.name}")
    time.sleep(down)
    api.restart()
    worker.restart()
    window.end = time.monotonic() + REJOIN_SECONDS
    events.append(f"{at + down:.0f}s: restarted {api.name} and {worker.name}")


def stop_all(roles: list[Role]) -> None:
    """SIGTERM every role at once, then wait for each (SIGKILL after 20 s)."""
    running = [r.process for r in roles if r.process is not None and r.process.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def drained_backlog(url: str, timeout: float = 30.0) -> Any:
    """The replica's outbox backlog once it is 0, or as it stands after `timeout` seconds.

    Every inquiry may be stored already while the relay is still removing the last ones it
    published from the outbox (it does on the broker's acknowledgement).
    """
    deadline = time.monotonic() + timeout
    while True:
        backlog = httpx2.get(f"{url}/readyz", timeout=5).json().get("outbox_backlog")
        if backlog == 0 or time.monotonic() > deadline:
            return backlog
        time.sleep(0.2)


def wait_ready(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx2.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url}/readyz did not answer 200 within {timeout}s")


@contextmanager
def mongodb_wire_server() -> Iterator[str]:
    """SecantusDB on loopback, for BARBERBOT_MONGODB_URL; its URL."""
    with MongoServer() as server:
        yield str(server.url)


@dataclass
class Result:
    accepted: int
    stored: int
    duplicates: int
    lost: int
    stored_without_answer: int
    in_flight_lost: int
    failovers: int
    statuses: dict[str, int]
    load_seconds: float
    accepted_per_second: float
    latency_p50_ms: float
    latency_p99_ms: float
    latency_p90_outside_kill_ms: float
    latency_p99_outside_kill_ms: float
    latency_max_ms: float
    accepted_per_second_by_replica: dict[str, float]
    drain_seconds: float
    workers: int
    mongodb: str
    events: list[str]

    @property
    def ok(self) -> bool:
        return (
            self.accepted > 0
            and self.lost == 0
            and self.duplicates == 0
            and self.stored_without_answer <= self.in_flight_lost
        )


def rehearse(seconds: float, workers: int, threads: int, logs: Path) -> Result:
    with ExitStack() as stack:
        mariadb = stack.enter_context(MariaDBServer())
        broker = stack.enter_context(KafkaBroker())
        mongodb_url = stack.enter_context(mongodb_wire_server())
        settings = Settings(
            _env_file=None,
            environment="production",
            secret_key="rehearsal-secret-key-0123456789abcdef",
            data_dir=logs,
            database_url=mariadb.url,
            kafka_bootstrap_servers=broker.bootstrap_servers,
            kafka_topic_partitions=PARTITIONS,
            rate_limit_per_minute=0,  # every client here is 127.0.0.1
            log_level="WARNING",
            worker_batch_wait_seconds=0.2,
        )
        extra = {"mongodb_url": mongodb_url} if mongodb_url else {}
        env = settings_env(settings, **extra)
        migrate = subprocess.run(
            [str(BIN / "barberbot"), "db", "upgrade"], env=env, capture_output=True, text=True
        )
        if migrate.returncode != 0:
            raise SystemExit(f"barberbot db upgrade failed:\n{migrate.stderr[-2000:]}")
        database = Database.from_url(mariadb.url)
        stack.callback(database.engine.dispose)
        with database.transaction() as session:
            for n in range(SHOPS):
                shops.create(session, slug=f"shop-{n}", name=f"Shop {n}")
        ensure_topics(settings)  # the workers would too; done once here so none races another

        roles: list[Role] = []
        stack.callback(stop_all, roles)
        for n in range(workers):
            worker_env = env | {"BARBERBOT_WORKER_METRICS_PORT": str(free_port())}
            roles.append(Role(f"worker-{n}", ["worker"], worker_env, logs).start())
        apis = []
        for n in range(2):
            port = free_port()
            api_env = env | {
                "BARBERBOT_PORT": str(port),
                "BARBERBOT_OUTBOX_PATH": str(logs / f"api-{n}-outbox.db"),
            }
            roles.append(Role(f"api-{n}", ["serve"], api_env, logs).start())
            apis.append(f"http://127.0.0.1:{port}")
        for url in apis:
            wait_ready(url)

        tally, events, window = Tally(), list[str](), KillWindow()
        killer = threading.Thread(
            target=chaos, args=(roles[-1], roles[workers - 1], seconds * 0.4, 1.0, events, window)
        )
        with StoredWatcher(database) as watcher:
            killer.start()
            load_seconds = send_load(apis, seconds, threads, tally)
            killer.join()
            drained = time.monotonic()
            deadline = drained + 120
            while time.monotonic() < deadline and not tally.accepted.keys() <= watcher.seen.keys():
                time.sleep(0.2)
            watcher.poll()
            drain_seconds = time.monotonic() - drained
        for url in apis:
            wait_ready(url)  # the restarted replica may still be starting
            events.append(f"{url}/readyz: outbox_backlog={drained_backlog(url)}")

        with database.sessions() as session:  # one read transaction: one snapshot for all
            watcher.note(session.scalars(select(Inquiry.id)).all())
            stored = session.scalar(select(func.count()).select_from(Inquiry)) or 0
            repeated = session.execute(
                select(Inquiry.message, func.count())
                .group_by(Inquiry.message)
                .having(func.count() > 1)
            ).all()
        latencies = sorted(
            (watcher.seen[i] - at) * 1000
            for i, (_, at) in tally.accepted.items()
            if i in watcher.seen
        )
        outside = sorted(
            (watcher.seen[i] - at) * 1000
            for i, (_, at) in tally.accepted.items()
            if i in watcher.seen and not window.holds(at)
        )
        return Result(
            accepted=len(tally.accepted),
            stored=stored,
            duplicates=sum(count - 1 for _, count in repeated),
            lost=len(tally.accepted.keys() - watcher.seen.keys()),
            stored_without_answer=len(watcher.seen.keys() - tally.accepted.keys()),
            in_flight_lost=tally.in_flight_lost,
            failovers=tally.failovers,
            statuses=dict(tally.statuses),
            load_seconds=load_seconds,
            accepted_per_second=len(tally.accepted) / load_seconds,
            latency_p50_ms=percentile(latencies, 0.5),
            latency_p99_ms=percentile(latencies, 0.99),
            latency_p90_outside_kill_ms=percentile(outside, 0.9),
            latency_p99_outside_kill_ms=percentile(outside, 0.99),
            latency_max_ms=latencies[-1] if latencies else float("nan"),
            accepted_per_second_by_replica={
                url: count / load_seconds for url, count in sorted(tally.by_replica.items())
            },
            drain_seconds=drain_seconds,
            workers=workers,
            mongodb="SecantusDB" if mongodb_url else "not used (no mongodb_url setting)",
            events=events,
        )


def percentile(ordered: Sequence[float], share: float) -> float:
    """The value below which `share` of the ordered values fall (nan for none)."""
    if not ordered:
        return float("nan")
    return ordered[min(int(len(ordered) * share), len(ordered) - 1)]


def report(result: Result) -> None:
    print(
        f"\nrehearsal: 2 API replicas, {result.workers} workers, {SHOPS} shops, "
        f"{result.load_seconds:.0f} s of load; MongoDB: {result.mongodb}"
    )
    for event in result.events:
        print(f"  {event}")
    print(f"  statuses: {result.statuses}; failovers to the other replica: {result.failovers}")
    print(f"  accepted (202):        {result.accepted}")
    print(f"  stored:                {result.stored}")
    print(f"  duplicates:            {result.duplicates}")
    print(f"  lost:                  {result.lost}")
    print(
        f"  stored, answer lost:   {result.stored_without_answer} "
        f"(requests cut by the kill: {result.in_flight_lost})"
    )
    print(f"  throughput:            {result.accepted_per_second:.0f} accepted inquiries/s")
    for url, rate in result.accepted_per_second_by_replica.items():
        print(f"    replica {url}: {rate:.0f}/s")
    print(
        f"  accepted -> stored:    p50 {result.latency_p50_ms:.0f} ms, "
        f"p99 {result.latency_p99_ms:.0f} ms, max {result.latency_max_ms:.0f} ms "
        "(polled every 0.2 s)"
    )
    print(
        f"  ... outside the kill:  p90 {result.latency_p90_outside_kill_ms:.0f} ms, "
        f"p99 {result.latency_p99_outside_kill_ms:.0f} ms (accepted before the SIGKILL or "
        f"{REJOIN_SECONDS:.0f} s after the restart)"
    )
    print(f"  drained after load in: {result.drain_seconds:.1f} s")
    print("  verdict:               " + ("OK" if result.ok else "FAILED"))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long the load runs")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (>= 1)")
    parser.add_argument("--threads", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--json", action="store_true", help="also print the result as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="barberbot-rehearsal-") as tmp:
        try:
            result = rehearse(args.seconds, args.workers, args.threads, Path(tmp))
        except BaseException:
            for log in sorted(Path(tmp).glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-1500:]}", file=sys.stderr)
            raise
        report(result)
        if not result.ok:
            for log in sorted(Path(tmp).glob("*.log")):
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-1500:]}", file=sys.stderr)
    if args.json:
        print(json.dumps({k: v for k, v in vars(result).items()}, default=str))
    sys.exit(0 if result.ok else 1)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
