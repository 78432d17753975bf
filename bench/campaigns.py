"""Campaigns: segment counts over 1,000,000 customers, and the send rate to a local SMTP server.

Segments: a throwaway MariaDB holds one shop's customers (and their customer_inquiries links,
which the inquiry-type rules read), loaded by plain DBAPI `executemany`. Each segment's count is
timed as the API's live count runs it (`segments.preview`: the COUNT, then a sample of 10),
beside two baselines in the same run: a plain `COUNT(*)` of the shop's customers (the floor),
and the naive way (read the customers and their inquiries into pandas, then filter; its time
is the read plus the filter). The pandas counts must equal the SQL ones at a fixed "now".

Send rate: a real SMTP server (aiosmtpd, loopback, in this process, counting only) receives a
5,000-recipient campaign sent by a real `barberbot campaigns run --until-idle` process with
throttling off, on MariaDB and on SQLite; the baseline is raw smtplib in a process of its own
sending the same, already rendered messages over one connection. Rates are counted by the
server, from the first message's arrival to the last's; every recipient must get exactly one.
Beside the rate, each client process's CPU time per message (from the kernel's accounting of
finished children, less that of the same process with nothing to send): the rate moves with
whatever else the two cores are doing, the CPU much less.

    .venv/bin/python bench/campaigns.py [--customers 1000000] [--messages 5000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from barberbot.campaigns import rules, segments, service, sql
from barberbot.campaigns.links import Links
from barberbot.campaigns.schemas import CampaignCreate
from barberbot.core import migrate
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.messaging.messages import Email, build
from barberbot.models import Campaign, Channel, Customer, Shop
from barberbot.shops import service as shops
from tests.support.environment import settings_env
from tests.support.mariadb import MariaDBServer
from tests.support.ports import free_port

BARBERBOT = str(Path(sys.executable).parent / "barberbot")
SECRET = "bench-secret-key-that-is-long-enough"
PUBLIC_URL = "https://kings.example"
MAIL_FROM = "King's Cuts <offers@kings.example>"
TYPES = ["haircut", "beard_trim", "shave", "hair_colouring", "kids_cut", "styling", "other"]
GENDERS = (["male"] * 60) + (["female"] * 35) + (["non_binary"] * 3) + (["prefer_not_to_say"] * 2)
LOCATIONS = ["high-street", "station", "market", None]
SPAN_DAYS = 730  # inquiries spread over the two years up to now
BATCH = 10_000
CUSTOMER_INSERT = (
    "INSERT INTO customers (id, shop_id, name, first_name, email, phone, age, gender, location,"
    " inquiry_count, first_inquiry_at, last_inquiry_at, email_consent, email_consent_at,"
    " sms_consent, sms_consent_at, updated_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
LINK_INSERT = (
    "INSERT INTO customer_inquiries (inquiry_id, shop_id, customer_id, inquiry_type, received_at)"
    " VALUES (%s, %s, %s, %s, %s)"
)
BODY = "Hello {{ first_name }}, 20% off a beard trim at {{ shop_name }} this week: {{ form_url }}"

SEGMENTS: dict[str, dict[str, Any]] = {
    "men 25-34": {
        "all": [{"field": "gender", "in": ["male"]}, {"field": "age_band", "in": ["25-34"]}]
    },
    "beard trim, last 60 days": {
        "field": "inquiry_type", "in": ["beard_trim"], "within_days": 60
    },
    "men 25-34 AND (beard trim 60 d OR 3+ inquiries)": {
        "all": [
            {"field": "gender", "in": ["male"]},
            {"field": "age_band", "in": ["25-34"]},
            {"any": [
                {"field": "inquiry_type", "in": ["beard_trim"], "within_days": 60},
                {"field": "inquiry_count", "min": 3},
            ]},
        ]
    },
    "e-mail consent": {"field": "consent", "channel": "email"},
    "women 35-54, SMS consent, not seen for 90 days": {
        "all": [
            {"field": "gender", "in": ["female"]},
            {"field": "age_band", "in": ["35-44", "45-54"]},
            {"field": "consent", "channel": "sms"},
            {"field": "last_inquiry", "more_than_days_ago": 90},
        ]
    },
}  # fmt: skip


def _text(moment: datetime) -> str:
    return moment.isoformat(sep=" ", timespec="microseconds")


# ---- loading ------------------------------------------------------------------------------


def customer_rows(
    shop_id: int, first_id: int, count: int, rng: random.Random, now: datetime
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """`count` customers with 1-6 inquiries each (1.6 on average), and their links."""
    customers: list[tuple[Any, ...]] = []
    links: list[tuple[Any, ...]] = []
    for customer_id in range(first_id, first_id + count):
        roll = rng.random()
        visits = 1 if roll < 0.6 else 2 if roll < 0.85 else 3 if roll < 0.95 else rng.randint(4, 6)
        times = sorted(now - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
                       for _ in range(visits))  # fmt: skip
        for at in times:
            links.append((
                f"{rng.getrandbits(128):032x}"[:32], shop_id, customer_id, rng.choice(TYPES),
                _text(at),
            ))  # fmt: skip
        email = f"c{customer_id}@example.com" if rng.random() < 0.85 else None
        phone = f"+4477{customer_id:08d}" if rng.random() < 0.7 else None
        email_consent = _consent(rng) if email else "none"
        sms_consent = ("granted" if rng.random() < 0.4 else "none") if phone else "none"
        customers.append((
            customer_id, shop_id, f"Customer {customer_id}", "Customer", email, phone,
            rng.randint(16, 80), rng.choice(GENDERS), rng.choice(LOCATIONS), visits,
            _text(times[0]), _text(times[-1]), email_consent,
            _text(times[-1]) if email_consent != "none" else None, sms_consent,
            _text(times[-1]) if sms_consent != "none" else None, _text(now),
        ))  # fmt: skip
    return customers, links


def _consent(rng: random.Random) -> str:
    roll = rng.random()
    return "granted" if roll < 0.55 else "withdrawn" if roll < 0.6 else "none"


def _uuid(hex32: str) -> str:
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:]}"


def load(
    db: Database, shop_id: int, first_id: int, count: int, rng: random.Random, *, links: bool
) -> int:
    """Customers (and their links if `links`) by one DBAPI executemany per 10,000 rows;
    returns the number of links."""
    now = datetime.now(UTC).replace(tzinfo=None)
    mysql = db.engine.dialect.name == "mysql"
    connection = db.engine.raw_connection()
    total_links = 0
    try:
        cursor = connection.cursor()
        if mysql:  # a bulk load: the generated ids and links are consistent by construction
            cursor.execute("SET foreign_key_checks = 0, unique_checks = 0")
        for start in range(first_id, first_id + count, BATCH):
            size = min(BATCH, first_id + count - start)
            customers, made = customer_rows(shop_id, start, size, rng, now)
            linked = [(_uuid(link[0]), *link[1:]) for link in made] if links else []
            for statement, rows in ((CUSTOMER_INSERT, customers), (LINK_INSERT, linked)):
                if rows:
                    cursor.executemany(statement if mysql else statement.replace("%s", "?"), rows)
            connection.commit()
            total_links += len(linked)
    finally:
        connection.close()
    return total_links


# ---- segment counts -----------------------------------------------------------------------


@dataclass
class CountRow:
    segment: str
    matches: int
    count_ms: float
    preview_ms: float
    naive_ms: float


def median_ms(run: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def read_frames(db: Database, shop_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The naive way's read: the columns the segments use, every customer of the shop."""
    with db.engine.connect() as connection:
        people = pd.read_sql(
            text(
                "SELECT id, age, gender, inquiry_count, last_inquiry_at, email, phone,"
                " email_consent, sms_consent FROM customers WHERE shop_id = :shop"
            ),
            connection,
            params={"shop": shop_id},
        )
        visits = pd.read_sql(
            text(
                "SELECT customer_id, inquiry_type, received_at FROM customer_inquiries"
                " WHERE shop_id = :shop"
            ),
            connection,
            params={"shop": shop_id},
        )
    return people, visits


def naive_count(people: pd.DataFrame, visits: pd.DataFrame, name: str, now: datetime) -> int:
    """Each segment by hand in pandas (naive timestamps are UTC, as stored)."""
    naive_now = pd.Timestamp(now.replace(tzinfo=None))
    men_25_34 = (people["gender"] == "male") & people["age"].between(25, 34)
    recent_beard = visits[
        (visits["inquiry_type"] == "beard_trim")
        & (visits["received_at"] >= naive_now - pd.Timedelta(days=60))
    ]["customer_id"].unique()
    email_ok = (people["email_consent"] == "granted") & people["email"].notna()
    sms_ok = (people["sms_consent"] == "granted") & people["phone"].notna()
    picked = {
        "men 25-34": men_25_34,
        "beard trim, last 60 days": people["id"].isin(recent_beard),
        "men 25-34 AND (beard trim 60 d OR 3+ inquiries)": men_25_34
        & (people["id"].isin(recent_beard) | (people["inquiry_count"] >= 3)),
        "e-mail consent": email_ok,
        "women 35-54, SMS consent, not seen for 90 days": (people["gender"] == "female")
        & people["age"].between(35, 54)
        & sms_ok
        & (people["last_inquiry_at"] < naive_now - pd.Timedelta(days=90)),
    }[name]
    return int(picked.sum())


def sql_count(session: Session, shop: Shop, rule: rules.Rule, now: datetime) -> int:
    where = sql.where(rule, segments.context(shop, now))
    return session.scalar(select(func.count()).select_from(Customer).where(where)) or 0


def bench_counts(db: Database, shop_id: int, repeat: int) -> tuple[list[CountRow], float, float]:
    now = datetime.now(UTC)
    with db.sessions() as session:
        shop = session.get(Shop, shop_id)
        assert shop is not None
        floor_ms = median_ms(
            lambda: session.scalar(select(func.count()).where(Customer.shop_id == shop_id)),
            repeat,
        )
        print(f"  baseline COUNT(*) of the shop's customers: {floor_ms:,.0f} ms", flush=True)
        began = time.perf_counter()
        people, visits = read_frames(db, shop_id)
        read_ms = (time.perf_counter() - began) * 1000
        print(f"  naive read of {len(people):,} customers and {len(visits):,} inquiries: "
              f"{read_ms:,.0f} ms", flush=True)  # fmt: skip
        rows = []
        for name, raw in SEGMENTS.items():
            rule = rules.parse(raw)
            expected = naive_count(people, visits, name, now)
            got = sql_count(session, shop, rule, now)
            assert got == expected, f"{name}: SQL counts {got}, pandas {expected}"
            count_ms = median_ms(partial(segments.preview, session, shop, rule, sample=0), repeat)
            preview_ms = median_ms(partial(segments.preview, session, shop, rule), repeat)
            filter_ms = median_ms(partial(naive_count, people, visits, name, now), 3)
            rows.append(CountRow(name, got, count_ms, preview_ms, read_ms + filter_ms))
            print(f"  {name:<48} {got:>9,} {count_ms:>8,.0f} ms {preview_ms:>8,.0f} ms "
                  f"{read_ms + filter_ms:>9,.0f} ms", flush=True)  # fmt: skip
        session.rollback()
    return rows, floor_ms, read_ms


# ---- send rate ----------------------------------------------------------------------------


class Counting:
    """An aiosmtpd handler that only counts: the server should not be the bottleneck."""

    def __init__(self) -> None:
        self.recipients: Counter[str] = Counter()
        self.first = self.last = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        at = time.monotonic()
        with self.lock:
            if not self.recipients:
                self.first = at
            self.last = at
            self.recipients.update(envelope.rcpt_tos)
        return "250 Message accepted"

    def reset(self) -> None:
        with self.lock:
            self.recipients.clear()
            self.first = self.last = 0.0

    def total(self) -> int:
        with self.lock:
            return sum(self.recipients.values())

    def rate(self) -> float:
        with self.lock:
            n = sum(self.recipients.values())
            return (n - 1) / (self.last - self.first) if n > 1 else 0.0


def send_raw(host: str, port: int, messages: list[tuple[str, bytes]]) -> None:
    """The baseline, in a process of its own: one connection, messages already rendered."""
    with smtplib.SMTP(host, port) as smtp:
        for to, message in messages:
            smtp.sendmail("offers@kings.example", [to], message)


@dataclass
class SendRow:
    run: str
    messages: int
    per_second: float
    wall_seconds: float
    cpu_us: float  # the client process's CPU per message, its start-up left out


def children_cpu() -> float:
    """User + system seconds of this process's finished children."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def run_raw(port: int, messages: list[tuple[str, bytes]]) -> float:
    """The baseline's process; returns its CPU seconds."""
    before = children_cpu()
    raw = multiprocessing.get_context("spawn").Process(
        target=send_raw, args=("127.0.0.1", port, messages)
    )
    raw.start()
    raw.join()
    assert raw.exitcode == 0
    return children_cpu() - before


def run_sender(settings: Settings) -> tuple[float, float]:
    """`barberbot campaigns run --until-idle`; returns its wall and CPU seconds."""
    before, began = children_cpu(), time.monotonic()
    done = subprocess.run([BARBERBOT, "campaigns", "run", "--until-idle"],
                          env=settings_env(settings), capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the sender failed: {done.stderr[-2000:]}")
    return time.monotonic() - began, children_cpu() - before


def prepare_campaign(db: Database, messages: int, rng: random.Random) -> tuple[int, int]:
    """A shop of `messages` customers, all with e-mail consent, and a campaign sent to them."""
    with db.transaction() as session:
        shop_id = shops.create(session, slug="mail-shop", name="King's Cuts").id
        first_id = (session.scalar(select(func.max(Customer.id))) or 0) + 1
    # no links: the sender's sync would drop them as links to erased inquiries
    load(db, shop_id, first_id, messages, rng, links=False)
    with db.transaction() as session:
        shop = session.get(Shop, shop_id)
        assert shop is not None
        _all_consent(session, shop_id)
        segment = segments.create(session, shop, "Everyone by e-mail",
                                  {"field": "consent", "channel": "email"})  # fmt: skip
        campaign = service.create(
            session,
            shop,
            CampaignCreate(
                name="Beard week",
                segment_id=segment.id,
                channel="email",
                subject="{{ shop_name }}: a beard trim for you, {{ first_name }}",
                body=BODY,
            ),
        )
        return shop_id, campaign.id


def _all_consent(session: Session, shop_id: int) -> None:
    address = "CONCAT('s', id, '@send.example')"
    if session.get_bind().dialect.name == "sqlite":
        address = "'s' || id || '@send.example'"
    session.execute(
        text(f"UPDATE customers SET email_consent = 'granted', email = {address}"
             " WHERE shop_id = :shop"),
        {"shop": shop_id},
    )  # fmt: skip


def rendered_messages(db: Database, shop_id: int, campaign_id: int) -> list[tuple[str, bytes]]:
    """What the sender will send, rendered in advance for the baseline."""
    links = Links(SECRET, PUBLIC_URL)
    with db.sessions() as session:
        shop = session.get(Shop, shop_id)
        campaign = session.get(Campaign, campaign_id)
        assert shop is not None
        assert campaign is not None
        people = session.scalars(select(Customer).where(Customer.shop_id == shop_id)).all()
        out = []
        for customer in people:
            rendered = service.render_for(shop, campaign, customer, links)
            assert customer.email is not None
            url = links.unsubscribe_url(customer.id, Channel.EMAIL, campaign.id)
            email = Email(customer.email, rendered.subject, rendered.body, url)
            out.append((customer.email, build(email, MAIL_FROM).as_bytes()))
    return out


def send_campaign(
    db: Database, url: str, server: Counting, port: int, messages: int, data: Path
) -> tuple[float, float]:
    """Schedule the prepared campaign and time `barberbot campaigns run --until-idle`; its
    wall seconds and its CPU per message, less the CPU of a run with nothing to send."""
    settings = Settings(
        environment="test", database_url=url, data_dir=data, secret_key=SECRET,
        public_url=PUBLIC_URL, mail_from=MAIL_FROM, smtp_host="127.0.0.1", smtp_port=port,
        campaign_send_rate=0, campaign_poll_seconds=0.2, log_level="WARNING",
    )  # fmt: skip
    idle_cpu = run_sender(settings)[1]
    with db.transaction() as session:
        campaign_id = session.scalar(select(Campaign.id).order_by(Campaign.id.desc()))
        campaign = session.get(Campaign, campaign_id)
        shop = session.get(Shop, campaign.shop_id) if campaign else None
        assert campaign is not None
        assert shop is not None
        service.schedule(session, shop, campaign, None)
    wall, cpu = run_sender(settings)
    assert server.total() == messages, f"{server.total()} of {messages} arrived"
    assert max(server.recipients.values()) == 1, "somebody got the campaign twice"
    return wall, (cpu - idle_cpu) / messages * 1e6


def bench_send(db: Database, url: str, label: str, messages: int, data: Path) -> list[SendRow]:
    rng = random.Random(11)
    shop_id, campaign_id = prepare_campaign(db, messages, rng)
    handler = Counting()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    rows = []
    try:
        prepared = rendered_messages(db, shop_id, campaign_id)
        idle_cpu = run_raw(port, [])
        began = time.monotonic()
        cpu = run_raw(port, prepared) - idle_cpu
        assert handler.total() == messages
        rows.append(SendRow(f"raw smtplib, one connection ({label} run)", messages,
                            handler.rate(), time.monotonic() - began,
                            cpu / messages * 1e6))  # fmt: skip
        handler.reset()
        wall, cpu_us = send_campaign(db, url, handler, port, messages, data)
        rows.append(SendRow(f"barberbot campaigns run on {label}", messages,
                            handler.rate(), wall, cpu_us))  # fmt: skip
        for row in rows:
            print(f"  {row.run}: {row.per_second:,.0f}/s, {row.cpu_us:,.0f} µs CPU/message "
                  f"(process {row.wall_seconds:.1f} s)", flush=True)  # fmt: skip
    finally:
        controller.stop()
    return rows


# ---- the run ------------------------------------------------------------------------------


def markdown(
    counts: list[CountRow], floor_ms: float, read_ms: float, customers: int, links: int,
    sends: list[SendRow],
) -> str:  # fmt: skip
    lines = [
        f"{customers:,} customers, {links:,} customer_inquiries links; "
        f"baseline `COUNT(*)` of the shop's customers {floor_ms:,.0f} ms; "
        f"naive read into pandas {read_ms:,.0f} ms.",
        "",
        "| segment | matches | count ms | count + sample ms | vs COUNT(*) | naive ms | vs naive |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in counts:
        lines.append(
            f"| {r.segment} | {r.matches:,} | {r.count_ms:,.0f} | {r.preview_ms:,.0f} | "
            f"{r.count_ms / floor_ms:.2f}x | {r.naive_ms:,.0f} | {r.count_ms / r.naive_ms:.3f}x |"
        )
    lines += [
        "",
        "| run | messages | per second | vs raw | CPU µs/message | vs raw | wall s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    base = sends[0]
    for s in sends:
        if s.run.startswith("raw"):
            base = s
        lines.append(f"| {s.run} | {s.messages:,} | {s.per_second:,.0f} | "
                     f"{s.per_second / base.per_second:.2f}x | {s.cpu_us:,.0f} | "
                     f"{s.cpu_us / base.cpu_us:.2f}x | {s.wall_seconds:.1f} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(7)
    print(f"load average before: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    started = time.monotonic()
    with MariaDBServer() as server, tempfile.TemporaryDirectory() as data:
        # a buffer pool that holds 1M customers, their links and indexes (≈500 MiB)
        server.sql("SET GLOBAL innodb_buffer_pool_size = 1073741824;")
        db = Database.from_url(server.url)
        migrate.upgrade(db.engine)
        with db.transaction() as session:
            shop_id = shops.create(session, slug="busy", name="Busy Barbers",
                                   timezone="Europe/London").id  # fmt: skip
        began = time.perf_counter()
        links = load(db, shop_id, 1, args.customers, rng, links=True)
        with db.engine.connect() as connection:  # fresh statistics, as after a day's writes
            connection.exec_driver_sql("ANALYZE TABLE customers, customer_inquiries").all()
        print(f"  loaded {args.customers:,} customers and {links:,} links in "
              f"{time.perf_counter() - began:.0f} s", flush=True)  # fmt: skip
        counts, floor_ms, read_ms = bench_counts(db, shop_id, args.repeat)
        sends = bench_send(db, server.url, "MariaDB", args.messages, Path(data))
        db.engine.dispose()
        lite_url = f"sqlite:///{Path(data) / 'send.db'}"
        lite = Database.from_url(lite_url)
        migrate.upgrade(lite.engine)
        sends += bench_send(lite, lite_url, "SQLite", args.messages, Path(data))
        lite.engine.dispose()
    print(f"load average after: {' '.join(f'{n:.1f}' for n in os.getloadavg())}; "
          f"whole run {time.monotonic() - started:.0f} s")  # fmt: skip
    print()
    print(markdown(counts, floor_ms, read_ms, args.customers, links, sends))


if __name__ == "__main__":
    main()
