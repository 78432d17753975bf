"""Settling, the writers' side: the summaries of settled days brought up to date, so reads only
read.

`settle_all` takes every shop's newly settled and late days into the dashboard's rollups
(`rollup_settle.settle`) and the inbox's search index (`inquiries.search_index`), and links
its waiting inquiries to customers
(`customers.sync_recent`, or a full sync of a small shop never synced), one shop per
transaction. The Kafka worker runs it between batches, `serve` from a background task
(`SettlingTask`, where no worker does), and the Kubernetes CronJob through `barberbot settle`;
the first two at most every BARBERBOT_SETTLE_INTERVAL_SECONDS (`Periodic`). Readers never wait
for it: what it has not taken in yet they read from the inquiries, so their figures are the
same either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from barberbot.analytics import rollup_settle
from barberbot.core.db import Database
from barberbot.customers import service as customers
from barberbot.forms.store import AnswerStore
from barberbot.inquiries import retention, search_index
from barberbot.models import Inquiry, Shop

log = logging.getLogger("barberbot.settling")
# inquiries a round links in one shop: all of a shop never synced, or those waiting in one
# synced; more (a big shop, a big import) are left to `barberbot customers sync`
SMALL_SHOP = 20_000


@dataclass
class Settled:
    """What one round did: shops settled or tried, and those that failed."""

    shops: int = 0
    failed: int = 0


def settle_all(
    db: Database,
    now: datetime | None = None,
    stopping: threading.Event | None = None,
    answers: AnswerStore | None = None,
) -> Settled:
    """Settle every shop, each in its own transaction; a shop that fails (another settler was
    writing the same rows) is logged and tried again the next round. `now`: the moment days
    are settled by (tests move it); `stopping`: set, the round ends after the current shop;
    `answers`: given (by `barberbot settle`), the shops' data retention is kept too, their
    expired inquiries erased with their answers from this store."""
    with db.sessions() as session:
        shop_ids = list(session.scalars(select(Shop.id).order_by(Shop.id)))
    done = Settled()
    for shop_id in shop_ids:
        if stopping is not None and stopping.is_set():
            break
        done.shops += 1
        try:
            with db.transaction() as session:
                if answers is not None:
                    _erase_expired(session, shop_id, answers, now)
                settle_shop(session, shop_id, now)
        except DBAPIError as error:
            done.failed += 1
            log.warning(
                "settling a shop failed; the next round tries again",
                extra={"shop_id": shop_id, "error": type(error.orig).__name__},
            )
    return done


def _erase_expired(
    session: Session, shop_id: int, answers: AnswerStore, now: datetime | None
) -> None:
    """Before the shop's rollups settle, so the days its erasures made late settle with them."""
    erased = retention.erase_expired(session, session.get_one(Shop, shop_id), answers, now)
    if erased:
        log.info("erased expired inquiries", extra={"shop_id": shop_id, "erased": erased})


def settle_shop(session: Session, shop_id: int, now: datetime | None = None) -> None:
    """Bring one shop's rollups and customers up to date (the caller commits)."""
    rollup_settle.settle(session, [shop_id], now)
    search_index.settle(session, shop_id, now)
    shop = session.get_one(Shop, shop_id)
    if customers.sync_recent(session, shop, most=SMALL_SHOP) is None and _is_small(session, shop):
        customers.sync(session, shop)


def _is_small(session: Session, shop: Shop) -> bool:
    """At most SMALL_SHOP inquiries, counted no further than one past it."""
    some = select(Inquiry.id).where(Inquiry.shop_id == shop.id).limit(SMALL_SHOP + 1).subquery()
    return (session.scalar(select(func.count()).select_from(some)) or 0) <= SMALL_SHOP


class Periodic:
    """Runs a job when asked, at most every `interval` seconds; a failure is logged, never
    raised, so the loop that asks goes on (the job runs again the next time it is due)."""

    def __init__(
        self,
        job: Callable[[], object],
        interval: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job, self.interval, self._clock = job, interval, clock
        self._last: float | None = None

    def due(self) -> bool:
        return self._last is None or self._clock() - self._last >= self.interval

    def run_if_due(self) -> bool:
        """Run the job if it is due; whether it ran."""
        if not self.due():
            return False
        self.run()
        return True

    def run(self) -> None:
        self._last = self._clock()
        try:
            self.job()
        except Exception:
            log.exception("settling failed; it runs again in %s s", self.interval)


class SettlingTask:
    """`settle_all` every interval on a thread, as a task of the app's event loop; the app's
    lifespan starts and stops it."""

    def __init__(self, db: Database, interval: float) -> None:
        self._stopping = threading.Event()  # read by the round's thread, between shops
        self._wake = asyncio.Event()
        self.periodic = Periodic(lambda: settle_all(db, stopping=self._stopping), interval)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="settling")

    async def stop(self) -> None:
        """Stop at once between rounds, or after the shop being settled in one."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        while not self._stopping.is_set():
            await asyncio.to_thread(self.periodic.run)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.periodic.interval)
