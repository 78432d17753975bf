"""Shops by slug, kept in memory for a few seconds: the public capture path reads no shop row.

A shop changes rarely (its name, its inquiry types); a change shows within `ttl` seconds. The
cached shops are detached from any session and only read.
"""

from __future__ import annotations

import time

from starlette.concurrency import run_in_threadpool

from barberbot.core.db import Database
from barberbot.models import Shop
from barberbot.shops import service


class ShopCache:
    def __init__(self, db: Database, ttl: float = 5.0) -> None:
        self.db = db
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Shop | None]] = {}

    async def get(self, slug: str) -> Shop | None:
        """The shop, or None for an unknown slug (remembered as briefly)."""
        entry = self._entries.get(slug)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        shop = await run_in_threadpool(self._load, slug)
        self._entries[slug] = (time.monotonic() + self.ttl, shop)
        return shop

    def forget(self, slug: str) -> None:
        self._entries.pop(slug, None)

    def _load(self, slug: str) -> Shop | None:
        with self.db.sessions() as session:
            shop = service.by_slug(session, slug)
            if shop is not None:
                session.expunge(shop)
            return shop
