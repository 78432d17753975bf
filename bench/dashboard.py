"""Dashboard callback times at 10k, 100k and 1M inquiries in MariaDB, beside the naive way.

Ours: the dashboard's refresh callback (every figure, KPI, table and insight of a view), which
aggregates in the database. Naive: read every inquiry of the shop into pandas, then group by.
Both run in this process against the same throwaway MariaDB; memory is the peak traced by
tracemalloc during one run.

    .venv/bin/python bench/dashboard.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import functools
import random
import statistics
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import select

from barberbot.auth import service as auth
from barberbot.core import migrate
from barberbot.core.db import Database
from barberbot.dashboard.callbacks import _refresh
from barberbot.dashboard.state import ViewState
from barberbot.inquiries import service
from barberbot.inquiries.choices import DEFAULT_INQUIRY_TYPES, Gender
from barberbot.models import Inquiry, Role
from barberbot.shops import service as shops
from barberbot.testing.mariadb import MariaDBServer

TYPES = [key for key, _ in DEFAULT_INQUIRY_TYPES]
GENDERS = [g.value for g in Gender]
SPAN_DAYS = 730  # the inquiries are spread over two years


def add_inquiries(db: Database, shop_id: int, count: int, rng: random.Random) -> None:
    now = datetime.now(UTC)
    batch: list[dict[str, Any]] = []
    for n in range(count):
        customer = rng.randrange(count // 3 + 1)
        consent = rng.random() < 0.6
        received = now - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
        batch.append({
            "id": uuid.uuid4(), "shop_id": shop_id, "received_at": received,
            "customer_name": f"Customer {customer}", "age": rng.randint(5, 85),
            "gender": rng.choice(GENDERS), "inquiry_type": rng.choice(TYPES),
            "phone": None if customer % 2 else f"+4477009{customer:05d}",
            "email": f"c{customer}@example.com" if customer % 2 else None,
            "message": "", "marketing_consent": consent,
            "consent_at": received if consent else None,
            "consent_text": "ok" if consent else None, "source": "api", "location": "main",
        })  # fmt: skip
        if len(batch) == 20_000 or n == count - 1:
            with db.transaction() as session:
                service.insert_rows(session, batch, skip_known=False)
            batch = []


def naive(db: Database, shop_id: int) -> None:
    """Every row into pandas, then the same kinds of figures by groupby."""
    with db.engine.connect() as connection:
        frame = pd.read_sql(select(Inquiry.__table__).where(Inquiry.shop_id == shop_id), connection)
    start = datetime.now(UTC) - timedelta(days=30)
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True)
    view = frame[frame["received_at"] >= start]
    view.groupby("inquiry_type").size()
    view.groupby("gender").size()
    view.groupby(pd.cut(view["age"], [0, 17, 24, 34, 44, 54, 64, 200])).size()
    view.groupby(view["received_at"].dt.date).size()
    view.assign(key=view["email"].fillna(view["phone"]))["key"].nunique()


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """(median seconds, peak traced MiB) over `repeat` runs."""
    times = []
    tracemalloc.start()
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    args = parser.parse_args()
    rng = random.Random(7)
    print(f"{'inquiries':>10} {'view':>6} {'ours ms':>8} {'MiB':>6} {'naive ms':>9} {'MiB':>7} "
          f"{'ratio':>7}")  # fmt: skip
    with MariaDBServer() as server:
        db = Database.from_url(server.url)
        migrate.upgrade(db.engine)
        with db.transaction() as session:
            shop = shops.create(session, slug="busy", name="Busy Barbers")
            user = auth.create_user(session, email="owner@busy.example", password="bench-pass")
            auth.grant(session, user, shop, Role.OWNER)
            shop_id, user_id = shop.id, user.id
        stored = 0
        for size in sorted(args.sizes):
            add_inquiries(db, shop_id, size - stored, rng)
            stored = size
            naive_s, naive_mib = timed(lambda: naive(db, shop_id), repeat=1)
            for period in ("30d", "365d"):
                state = ViewState(shop="busy", period=period)
                ours_s, ours_mib = timed(functools.partial(_refresh, db, user_id, state), 5)
                print(f"{size:>10,} {period:>6} {ours_s * 1000:>8.0f} {ours_mib:>6.1f} "
                      f"{naive_s * 1000:>9.0f} {naive_mib:>7.1f} {naive_s / ours_s:>6.1f}x",
                      flush=True)  # fmt: skip
        db.engine.dispose()


if __name__ == "__main__":
    main()
