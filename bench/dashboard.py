"""Every dashboard callback that reads the database, at 10k, 100k and 1M inquiries in MariaDB,
beside the naive way (read every inquiry of the shop into pandas, then group), in one run.

Ours: the real app (`create_app`) under uvicorn in this process, called over HTTP as the
browser calls it — a POST to /dashboard/_dash-update-component for the callbacks (`options`,
`refresh`, `customers`), a streamed GET of /dashboard/export.csv|xlsx for the downloads — so a
time includes routing, the login check, the callback and Dash's JSON of the answer. Naive: the
shop's inquiries read into a DataFrame (`SELECT *`), then the same figures by pandas; the
download the way it was first written (every selected row as an ORM object, one DataFrame, one
file in memory).

Views: the last 30 days, the last 365 days, and the last 30 days filtered to men aged 25-34.
Time: the median of several calls. Memory: the peak traced by tracemalloc (server and client
share the process) over one more call, traced apart since tracing slows Python down.

    .venv/bin/python bench/dashboard.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pandas as pd
from sqlalchemy import select

from barberbot.analytics import queries, rollup_settle
from barberbot.analytics.bands import AGE_BANDS, BAND_LABELS
from barberbot.app import create_app
from barberbot.auth import service as auth
from barberbot.core import migrate
from barberbot.core.choices import DEFAULT_INQUIRY_TYPES, Gender
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.customers import service as customers
from barberbot.dashboard.state import from_query
from barberbot.dashboard.views import resolve
from barberbot.inquiries import export, writer
from barberbot.models import Inquiry, Role, Shop
from barberbot.shops import service as shops
from tests.support.customers import customer_ids
from tests.support.dashboard import Callbacks, sign_in
from tests.support.live import LiveServer
from tests.support.mariadb import MariaDBServer

SHOP, ZONE = "busy", ZoneInfo("Europe/London")
EMAIL, PASSWORD = "owner@busy.example", "bench-pass-1234"
TYPES = [key for key, _ in DEFAULT_INQUIRY_TYPES[:6]]
GENDERS = [g.value for g in Gender]
LOCATIONS = ["high-street", "station", "market"]
SPAN_DAYS = 730  # the inquiries are spread over the two years up to now
VIEWS = {"30d": "?shop=busy", "365d": "?shop=busy&period=365d",
         "30d men 25-34": "?shop=busy&gender=male&age=25-34",
         "365d men 25-34": "?shop=busy&period=365d&gender=male&age=25-34",
         "365d haircuts": "?shop=busy&period=365d&type=haircut"}  # fmt: skip


def load(db: Database, shop_id: int, first: int, count: int, rng: random.Random) -> None:
    """`count` inquiries through the batch write path of imports and the Kafka worker
    (`insert_rows`: one executemany per 10,000 rows, marking the days summaries must count
    again). A third of the customers come back; half give both an e-mail and a phone, a
    quarter only one of them."""
    now = datetime.now(UTC)
    batch: list[dict[str, Any]] = []
    for n in range(first, first + count):
        customer = rng.randrange((first + count) * 2 // 3 + 1)
        kind = customer % 4  # 0, 1: both; 2: e-mail only; 3: phone only
        consent = rng.random() < 0.6
        received = now - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
        batch.append({
            "id": uuid.uuid4(), "shop_id": shop_id, "received_at": received,
            "customer_name": f"Customer {customer}", "age": rng.randint(5, 85),
            "gender": rng.choice(GENDERS), "inquiry_type": rng.choice(TYPES),
            "phone": None if kind == 2 else f"+4477{customer:08d}",
            "email": None if kind == 3 else f"c{customer}@example.com", "message": "",
            "marketing_consent": consent, "consent_at": received if consent else None,
            "consent_text": "ok" if consent else None, "source": "api",
            "location": LOCATIONS[customer % 3], "status": "new",
        })  # fmt: skip
        if len(batch) == 10_000 or n == first + count - 1:
            with db.transaction() as session:
                writer.insert_rows(session, batch)
            batch = []


def settle(db: Database, shop_id: int) -> float:
    """Seconds to bring the rollups up to date after a load (as a settling round would)."""
    began = time.perf_counter()
    with db.transaction() as session:
        rollup_settle.settle(session, [shop_id])
    return time.perf_counter() - began


def sync_customers(db: Database, shop_id: int) -> float:
    """Seconds to link the loaded inquiries to customers (`barberbot customers sync`)."""
    began = time.perf_counter()
    with db.transaction() as session:
        customers.sync(session, session.get_one(Shop, shop_id))
    return time.perf_counter() - began


@dataclass
class Figure:
    seconds: float
    mib: float


def measure(run: Callable[[], Any], repeat: int) -> Figure:
    """Median seconds of `repeat` calls, and the peak traced MiB of one more (NaN if a call
    failed: the error is printed and the run goes on)."""
    try:
        return _measure(run, repeat)
    except Exception as error:  # one failed call should not lose the whole run
        tracemalloc.stop()
        print(f"  FAILED: {error!r}"[:400], flush=True)
        return Figure(float("nan"), float("nan"))


def _measure(run: Callable[[], Any], repeat: int) -> Figure:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return Figure(statistics.median(times), peak / 2**20)


class Dashboard:
    """The signed-in owner's browser, as far as the server can tell."""

    def __init__(self, url: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=600)
        sign_in(self.client, EMAIL, PASSWORD)
        self.callbacks = Callbacks(self.client)

    def options(self, _search: str) -> Any:
        return self.callbacks.call("inquiry-type.options", {"shop.value": SHOP})

    def refresh(self, search: str) -> Any:
        return self.callbacks.call(
            "kpi-inquiries-value.children", {"url.search": search, "live.n_intervals": None}
        )

    def customers(self, search: str) -> Any:
        return self.callbacks.call(
            "kpi-unique-value.children", {"url.search": search, "live.n_intervals": None}
        )

    def download(self, search: str, kind: str) -> int:
        """Read the streamed file, keeping none of it; its size."""
        size = 0
        with self.client.stream("GET", f"/dashboard/export.{kind}{search}") as response:
            for chunk in response.iter_bytes():
                size += len(chunk)
        return size


# ---- the naive way ------------------------------------------------------------------------


def read_all(db: Database, shop_id: int) -> pd.DataFrame:
    with db.engine.connect() as connection:
        query = select(Inquiry.__table__).where(Inquiry.shop_id == shop_id)
        frame = pd.read_sql(query, connection)
    frame["received_at"] = pd.to_datetime(frame["received_at"], utc=True)
    return frame


def _select(frame: pd.DataFrame, search: str, shift: int = 0) -> pd.DataFrame:
    """The rows of a view (or of the period `shift` periods before it)."""
    state = from_query(search)
    days = int(state.period.rstrip("d"))
    end = pd.Timestamp.now(tz="UTC") - pd.Timedelta(days=days * shift)
    rows = frame[(frame["received_at"] >= end - pd.Timedelta(days=days))
                 & (frame["received_at"] < end)]  # fmt: skip
    if state.genders:
        rows = rows[rows["gender"].isin(state.genders)]
    if state.age_bands:
        low, high = next((lo, hi) for label, lo, hi in AGE_BANDS if label in state.age_bands)
        rows = rows[rows["age"].between(low, high)]
    if state.inquiry_types:
        rows = rows[rows["inquiry_type"].isin(state.inquiry_types)]
    return rows


def naive_options(frame: pd.DataFrame, _search: str) -> Any:
    return sorted(frame["location"].dropna().unique())


def naive_refresh(frame: pd.DataFrame, search: str) -> Any:
    rows, before = _select(frame, search), _select(frame, search, shift=1)
    bands = pd.cut(rows["age"], [-1, 17, 24, 34, 44, 54, 64, 999], labels=list(BAND_LABELS))
    local = rows["received_at"].dt.tz_convert(ZONE)
    return [
        len(rows), int(rows["marketing_consent"].sum()), len(before),
        rows.groupby("inquiry_type").size(), rows.groupby("gender").size(),
        rows.groupby(bands, observed=False).size(), rows.groupby("age").size(),
        rows.groupby(["inquiry_type", bands], observed=False).size(),
        rows.groupby(["inquiry_type", "gender", bands], observed=False).size(),
        before.groupby(["inquiry_type", "gender"]).size(),
        rows.groupby(local.dt.date).size(),
        rows.groupby([local.dt.day_of_week, local.dt.hour]).size(),
        rows.groupby(["shop_id", "location"]).size(),
        rows.sort_values("received_at", ascending=False).head(25),
    ]  # fmt: skip


def naive_customers(frame: pd.DataFrame, search: str) -> Any:
    rows = _select(frame, search)
    earlier = frame[frame["received_at"] < rows["received_at"].min()]
    ids = customer_ids(rows[["email", "phone"]])
    seen = set(earlier["email"].dropna()) | set(earlier["phone"].dropna())
    returning = ids[rows["email"].isin(seen).to_numpy() | rows["phone"].isin(seen).to_numpy()]
    return ids.nunique(), returning.nunique()


def naive_download(db: Database, user_id: int, search: str, kind: str) -> int:
    """The first dashboard download: every selected row as an ORM object, one frame."""
    with db.sessions() as session:
        view = resolve(session, user_id, from_query(search))
        query = select(Inquiry).where(*queries.conditions(view.selection))
        rows = list(session.scalars(query.order_by(Inquiry.received_at.desc())))
        frame = export.to_frame(view.shops[0], rows)
    return len(export.to_xlsx(frame) if kind == "xlsx" else export.to_csv(frame))


# ---- the run ------------------------------------------------------------------------------


@dataclass
class Row:
    size: int
    callback: str
    view: str
    ours: Figure
    naive: Figure


def compare(
    size: int, app: Dashboard, db: Database, shop_id: int, user_id: int, repeat: int
) -> list[Row]:
    rows: list[Row] = []
    began = time.perf_counter()
    read_all(db, shop_id)
    read_seconds = time.perf_counter() - began
    tracemalloc.start()
    frame = read_all(db, shop_id)
    held, read_peak = (n / 2**20 for n in tracemalloc.get_traced_memory())
    tracemalloc.stop()
    print(f"  naive read of {len(frame):,} rows: {read_seconds * 1000:,.0f} ms, "
          f"{read_peak:,.0f} MiB peak, {held:,.0f} MiB held", flush=True)  # fmt: skip

    def naive_figure(compute: Callable[[], Any]) -> Figure:
        # every naive callback pays the read: its time added, its memory under the peak
        figure = measure(compute, 3)
        return Figure(read_seconds + figure.seconds, max(read_peak, held + figure.mib))

    calls = [("options", "any", partial(app.options, ""), partial(naive_options, frame, ""))]
    for view, search in VIEWS.items():
        calls.append(("refresh", view, partial(app.refresh, search),
                      partial(naive_refresh, frame, search)))  # fmt: skip
        calls.append(("customers", view, partial(app.customers, search),
                      partial(naive_customers, frame, search)))  # fmt: skip
    for callback, view, ours, naive in calls:
        rows.append(Row(size, callback, view, measure(ours, repeat), naive_figure(naive)))
        _print(rows[-1])
    calls.clear()
    del frame  # the naive downloads read their rows themselves
    for view, kind in (("30d", "csv"), ("30d men 25-34", "csv"), ("30d men 25-34", "xlsx")):
        search = VIEWS[view]
        rows.append(
            Row(size, f"download {kind}", view, measure(partial(app.download, search, kind), 2),
                measure(partial(naive_download, db, user_id, search, kind), 1))
        )  # fmt: skip
        _print(rows[-1])
    return rows


def _print(row: Row) -> None:
    print(
        f"{row.size:>10,} {row.callback:<13} {row.view:<14} {row.ours.seconds * 1000:>8.0f} "
        f"{row.ours.mib:>7.1f} {row.naive.seconds * 1000:>9.0f} {row.naive.mib:>8.1f} "
        f"{row.ours.seconds / row.naive.seconds:>7.3f}x",
        flush=True,
    )


def markdown(rows: list[Row]) -> str:
    lines = [
        "| inquiries | callback | view | ours ms | ours MiB | naive ms | naive MiB "
        "| ours vs naive |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.size:,} | {r.callback} | {r.view} | {r.ours.seconds * 1000:,.0f} | "
            f"{r.ours.mib:,.1f} | {r.naive.seconds * 1000:,.0f} | {r.naive.mib:,.0f} | "
            f"{r.ours.seconds / r.naive.seconds:.3f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(7)
    rows: list[Row] = []
    print(f"load average before: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    with MariaDBServer() as server, tempfile.TemporaryDirectory() as data:
        # A server sized for its data: MariaDB's default 128 MiB buffer pool cannot hold 1M
        # inquiries and their indexes (≈600 MiB), and its 16 MiB in-memory temporary tables
        # spill the customer counts' distinct contacts to disk.
        server.sql(
            "SET GLOBAL innodb_buffer_pool_size = 1073741824;"
            "SET GLOBAL tmp_table_size = 67108864, max_heap_table_size = 67108864;"
        )
        db = Database.from_url(server.url)
        migrate.upgrade(db.engine)
        with db.transaction() as session:
            shop = shops.create(session, slug=SHOP, name="Busy Barbers", timezone=ZONE.key)
            user = auth.create_user(session, email=EMAIL, password=PASSWORD)
            auth.grant(session, user, shop, Role.OWNER)
            shop_id, user_id = shop.id, user.id
        settings = Settings(environment="test", database_url=server.url, data_dir=Path(data),
                            secret_key="bench-secret-key-that-is-long-enough",
                            rate_limit_per_minute=0)  # fmt: skip
        with LiveServer(create_app(settings, db)) as live:
            app = Dashboard(live.url)
            print(f"{'inquiries':>10} {'callback':<13} {'view':<14} {'ours ms':>8} {'MiB':>7} "
                  f"{'naive ms':>9} {'MiB':>8} {'ratio':>8}")  # fmt: skip
            stored = 0
            for size in sorted(args.sizes):
                began = time.perf_counter()
                load(db, shop_id, stored, size - stored, rng)
                print(f"  loaded {size - stored:,} in {time.perf_counter() - began:.1f} s; "
                      f"rollups settled in {settle(db, shop_id):.1f} s; customers synced in "
                      f"{sync_customers(db, shop_id):.1f} s", flush=True)  # fmt: skip
                stored = size
                repeat = args.repeat if size < 1_000_000 else max(3, args.repeat - 2)
                rows += compare(size, app, db, shop_id, user_id, repeat)
            app.client.close()
        db.engine.dispose()
    print(f"load average after: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    print()
    print(markdown(rows))


if __name__ == "__main__":
    main()
