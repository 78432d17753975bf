"""The inbox's list, filtered list and search with a million inquiries in one shop, beside a
naive `LIKE '%…%'` scan of the same shop, in one run, on SQLite and on a throwaway MariaDB.

Each case is what the inbox page asks for one screen (`inbox.listing.page`): the first 50
inquiries in its order and how many there are in all ("Showing 1-50 of 1,204"; for common
words, "of many"), through the same filters the API and the pages use. The naive
scan is a `SELECT` of every inquiry of the shop whose name, e-mail, phone or message contains
the text, with no index to help.
Before the searches, the settling rounds index the shop (`inquiries.search_index`, timed);
the day or so they leave for the next rounds is searched by reading it, as in the app.
Time: the median of several calls (after one to warm the caches).

    .venv/bin/python bench/inbox.py [--inquiries 1000000] [--backends sqlite mariadb]

MariaDB runs with a 2 GiB buffer pool (a database server's usual share of its machine;
MariaDB's default of 128 MiB holds a tenth of these inquiries and their index).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from barberbot.core import migrate
from barberbot.core.choices import DEFAULT_INQUIRY_TYPES
from barberbot.core.db import Database
from barberbot.core.ids import time_ordered_id
from barberbot.inbox import listing
from barberbot.inquiries import search_index, writer
from barberbot.inquiries.filters import InquiryFilters
from barberbot.models import Shop
from barberbot.shops import service as shops
from tests.support.mariadb import MariaDBServer

TYPES = [key for key, _ in DEFAULT_INQUIRY_TYPES[:6]]
LOCATIONS = ["high-street", "station", "market"]
OPEN = ["new", "open", "waiting", "booked"]
MESSAGES = ["", "Can I book a skin fade on Saturday?", "Beard trim please", "Price for kids?",
            "Do you take walk-ins?", "Wedding party of six, any Sunday in June"]  # fmt: skip
SPAN_DAYS = 365
CASES: dict[str, dict[str, Any]] = {
    "inbox: everything open, newest first": {"status": OPEN},
    "filtered: new haircut inquiries": {"status": ["new"], "inquiry_type": "haircut"},
    "search: a name (rare)": {"q": "Customer {rare}"},
    "search: a phone as typed": {"q": "07700 {rare:06d}"},
    "search: a word of messages (common)": {"q": "fade"},
    "search: two words of messages (common)": {"q": "skin fade"},
    "inbox search: a common word, open only": {"status": OPEN, "q": "saturday"},
    "search: two common words never together": {"q": "wedding fade"},
}


def load(db: Database, shop_id: int, count: int, rng: random.Random) -> None:
    """`count` inquiries over the last year, through the writers' batch path; those older
    than 30 days closed (as the inbox's migration left them), the rest in the open statuses."""
    now = datetime.now(UTC)
    batch: list[dict[str, Any]] = []
    for n in range(count):
        received = now - timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
        old = now - received > timedelta(days=30)
        batch.append({
            "id": time_ordered_id(), "shop_id": shop_id, "received_at": received,
            "customer_name": f"Customer {n}", "age": rng.randint(5, 85), "gender": "male",
            "inquiry_type": rng.choice(TYPES), "phone": f"+447700{n:06d}",
            "email": f"c{n}@example.com", "message": rng.choice(MESSAGES),
            "marketing_consent": False, "source": "api", "location": rng.choice(LOCATIONS),
            "status": "closed" if old else rng.choice(OPEN),
        })  # fmt: skip
        if len(batch) == 20_000 or n == count - 1:
            with db.transaction() as session:
                writer.insert_rows(session, batch)
            batch = []


def screen(session: Session, shop: Shop, filters: InquiryFilters) -> tuple[int, str]:
    """One inbox screen: the first page and the count of all."""
    shown = listing.page(session, [shop.id], filters)
    return len(shown.rows), "many" if shown.more else f"{shown.total:,}"


def naive(session: Session, shop: Shop, needle: str) -> int:
    """Every inquiry of the shop containing the text anywhere, found by reading them all."""
    like = f"%{needle}%"
    rows = session.execute(
        text(
            "SELECT * FROM inquiries WHERE shop_id = :shop AND (customer_name LIKE :q "
            "OR email LIKE :q OR phone LIKE :q OR message LIKE :q) ORDER BY received_at DESC"
        ),
        {"shop": shop.id, "q": like},
    ).all()
    return len(rows)


def median_ms(run: Callable[[], object], repeat: int = 5) -> float:
    run()  # warm the caches
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


@contextmanager
def database(backend: str, folder: Path) -> Iterator[Database]:
    if backend == "mariadb":
        with MariaDBServer("--innodb-buffer-pool-size=2G") as server:
            db = Database.from_url(server.url)
            yield db
            db.engine.dispose()
    else:
        db = Database.from_url(f"sqlite:///{folder / 'inbox.db'}")
        yield db
        db.engine.dispose()


def run(backend: str, count: int, folder: Path) -> list[tuple[str, str, float, str]]:
    rows = []
    with database(backend, folder) as db:
        migrate.upgrade(db.engine)
        with db.transaction() as session:
            shop_id = shops.create(session, slug="busy", name="Busy Barbers", country="GB").id
        began = time.perf_counter()
        load(db, shop_id, count, random.Random(7))
        print(f"{backend}: loaded {count:,} inquiries in {time.perf_counter() - began:.0f} s")
        began = time.perf_counter()
        while True:  # settling rounds, as `barberbot settle` runs them
            with db.transaction() as session:
                if search_index.settle(session, shop_id, most=200_000) == 0:
                    break
        print(f"{backend}: indexed for search in {time.perf_counter() - began:.0f} s")
        with db.sessions() as session:
            shop = session.get_one(Shop, shop_id)
            for name, fields in CASES.items():
                rare = count // 2 + 7  # one inquiry's name and phone
                filled = {k: v.format(rare=rare) if k == "q" else v for k, v in fields.items()}
                filters = InquiryFilters(**filled)
                found = screen(session, shop, filters)
                ms = median_ms(partial(screen, session, shop, filters))
                rows.append((backend, name, ms, found[1]))
                print(f"  {name:45s} {ms:9.1f} ms  ({found[1]} in all)", flush=True)
                if filters.q:
                    needle = filters.q
                    matched = naive(session, shop, needle)
                    ms = median_ms(partial(naive, session, shop, needle), repeat=3)
                    rows.append((backend, f"naive LIKE scan for {needle!r}", ms, f"{matched:,}"))
                    print(f"  {'  naive LIKE scan':45s} {ms:9.1f} ms  ({matched:,})", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--inquiries", type=int, default=1_000_000)
    parser.add_argument("--backends", nargs="+", choices=("sqlite", "mariadb"),
                        default=["sqlite", "mariadb"])  # fmt: skip
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        results = [row for b in args.backends for row in run(b, args.inquiries, Path(folder))]
    print("\n| backend | case | ms | inquiries |\n|---|---|---:|---:|")
    for backend, name, ms, found in results:
        print(f"| {backend} | {name} | {ms:,.1f} | {found} |")


if __name__ == "__main__":
    main()
