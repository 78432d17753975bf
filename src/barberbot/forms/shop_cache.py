"""Shops by slug with their current forms, kept in memory for a few seconds: the public capture
path reads no shop row.

A shop changes rarely (its name, its inquiry types, its form); a change shows within `ttl`
seconds (at once in the process that made it, which calls `forget`). The cached shops are
detached from any session and only read; each comes with its current form definition.
"""

from __future__ import annotations

import time

from starlette.concurrency import run_in_threadpool

from barberbot.core.db import Database
from barberbot.forms import service as forms
from barberbot.forms.definition import NO_FORM, FormDefinition
from barberbot.models import Shop
from barberbot.shops import service

ShopWithForm = tuple[Shop, FormDefinition]


class ShopCache:
    def __init__(self, db: Database, ttl: float = 5.0) -> None:
        self.db = db
        self.ttl = ttl
        self._entries: dict[str, tuple[float, ShopWithForm | None]] = {}

    async def get(self, slug: str) -> Shop | None:
        """The shop, or None for an unknown slug (remembered as briefly)."""
        found = await self.get_with_form(slug)
        return None if found is None else found[0]

    async def get_with_form(self, slug: str) -> ShopWithForm | None:
        """The shop and its current form, or None for an unknown slug."""
        entry = self._entries.get(slug)
        if entry is not None and entry[0] > time.monotonic():
            return entry[1]
        found = await run_in_threadpool(self._load, slug)
        self._entries[slug] = (time.monotonic() + self.ttl, found)
        return found

    def forget(self, slug: str) -> None:
        self._entries.pop(slug, None)

    def _load(self, slug: str) -> ShopWithForm | None:
        with self.db.sessions() as session:
            shop = service.by_slug(session, slug)
            if shop is None:
                return None
            form = forms.current(session, shop)
            session.expunge(shop)
            return shop, form if form.version else NO_FORM
