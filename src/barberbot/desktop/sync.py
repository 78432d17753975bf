"""Sending the counter's inquiries to the server, in the background, until every one is there.

A thread takes the oldest unsynced inquiries from the local store, uploads them to the
server's sync endpoint under their own ids (the server's idempotency keys) and marks them
synced once the server has answered. If the answer is lost, or the app dies first, the next
run sends them again and the server stores nothing twice. While the server cannot be reached
it retries with growing, jittered waits; a new save wakes it at once. It never touches Tk.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from barberbot.desktop.config import DesktopConfig
from barberbot.desktop.store import LocalStore, SavedInquiry
from barberbot.forms.definition import FormDefinition

log = logging.getLogger("barberbot.desktop.sync")

BATCH_SIZE = 50
IDLE_POLL_SECONDS = 30.0
SHOP_REFRESH_SECONDS = 300.0  # how old the shop's types and form may get while running


class SyncFailed(Exception):
    """The server could not be reached or did not take the batch; try again later."""


class TokenRefused(SyncFailed):
    """The server refuses the API token (unknown, revoked or expired): trying again cannot
    help, so sync stops until the settings get a new token (or a save asks once more)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason  # the server's words: revoked, expired, or not valid
        super().__init__(f"{reason} Sync stopped: paste a working token in Settings.")


def _token_refused(response: httpx.Response) -> TokenRefused:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    reason = detail if isinstance(detail, str) else "The server does not accept the API token."
    return TokenRefused(reason)


@dataclass(frozen=True)
class ShopInfo:
    name: str
    inquiry_types: dict[str, str]
    form: FormDefinition | None = None  # the shop's own questions (None: not fetched)
    country: str | None = None  # phone numbers without a +country code are read as its


class ServerClient:
    """The calls the counter makes to the server's API."""

    def __init__(self, config: DesktopConfig, timeout: float = 10.0) -> None:
        self.shop = config.shop
        self._shop_path = f"/api/v1/shops/{quote(config.shop, safe='')}"
        self._http = httpx.Client(
            base_url=config.server_url,
            headers={"Authorization": f"Bearer {config.api_token}"},
            timeout=timeout,
        )

    def shop_info(self) -> ShopInfo:
        body = self._call("GET", self._shop_path)
        try:
            types = {item["key"]: item["label"] for item in body["inquiry_types"]}
            country = body.get("country")
            if country is not None and not isinstance(country, str):
                raise TypeError(country)
            return ShopInfo(name=body["name"], inquiry_types=types, country=country)
        except (KeyError, TypeError):
            raise SyncFailed("The server's answer is not a BarberBot shop.") from None

    def form(self) -> FormDefinition:
        """The shop's current form (its own questions), to cache for working offline."""
        body = self._call("GET", f"{self._shop_path}/form")
        try:
            return FormDefinition.from_stored(int(body["version"]), list(body["fields"]))
        except (KeyError, TypeError, ValueError):
            raise SyncFailed("The server's answer is not a BarberBot form.") from None

    def upload(self, batch: Sequence[SavedInquiry]) -> list[dict[str, Any]]:
        """The server's verdict on each inquiry of the batch."""
        payload = {
            "inquiries": [
                {
                    "id": str(s.id),
                    "captured_at": s.saved_at.isoformat(),
                    "inquiry": s.data,
                    "form_version": s.form_version,
                }
                for s in batch
            ]
        }
        body = self._call("POST", f"{self._shop_path}/inquiries/sync", payload)
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise SyncFailed("The server's answer is not a sync report.")
        results: list[dict[str, Any]] = body["results"]
        return results

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        try:
            response = self._http.request(method, path, json=payload)
        except httpx.HTTPError as error:
            raise SyncFailed(f"Cannot reach the server ({_reason(error)}).") from None
        if response.status_code == 401:
            raise _token_refused(response)
        if response.status_code == 404:
            raise SyncFailed(f"The server has no shop {self.shop!r} for this token.")
        if response.is_error or response.is_redirect:
            raise SyncFailed(f"The server answered {response.status_code}; will retry.")
        try:
            return response.json()
        except ValueError:
            raise SyncFailed("The server's answer is not JSON; is the address right?") from None


def _reason(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.TimeoutException):
        return "no answer in time"
    return str(error) or type(error).__name__


class Backoff:
    """Waits that double from `first` up to `cap`, each jittered to 50-100% of its size."""

    def __init__(
        self, first: float = 1.0, cap: float = 60.0, rand: Callable[[], float] = random.random
    ) -> None:
        self.first, self.cap, self._rand = first, cap, rand
        self.failures = 0

    def next_wait(self) -> float:
        size: float = min(self.cap, self.first * 2**self.failures)
        self.failures += 1
        return size * (0.5 + self._rand() / 2)

    def reset(self) -> None:
        self.failures = 0


@dataclass(frozen=True)
class SyncStatus:
    error: str | None = None
    last_synced: datetime | None = None
    retry_at: float | None = None  # time.monotonic() of the next try, while failing
    stopped: bool = False  # no next try of its own: the token was refused


def sync_pending(store: LocalStore, client: ServerClient, batch_size: int = BATCH_SIZE) -> int:
    """Upload every pending inquiry, oldest first; returns how many the server now has."""
    sent = 0
    while batch := store.pending(batch_size):
        results = {str(r.get("id")): r for r in client.upload(batch) if isinstance(r, dict)}
        accepted = [s.id for s in batch if _status(results, s) in ("stored", "queued", "duplicate")]
        refused = {s.id: results[str(s.id)].get("errors", {}) for s in batch
                   if _status(results, s) == "rejected"}  # fmt: skip
        if len(accepted) + len(refused) < len(batch):
            raise SyncFailed("The server's answer left out some inquiries; will retry.")
        store.mark_synced(accepted)
        store.mark_rejected(refused)
        sent += len(accepted)
    return sent


def _status(results: dict[str, dict[str, Any]], saved: SavedInquiry) -> str | None:
    result = results.get(str(saved.id))
    return None if result is None else str(result.get("status"))


class Syncer:
    """The background thread that keeps the server up to date."""

    def __init__(
        self,
        store: LocalStore,
        config: DesktopConfig,
        *,
        on_synced: Callable[[], None] = lambda: None,
        backoff: Backoff | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.store = store
        self.client = ServerClient(config, timeout=timeout)
        self.status = SyncStatus()
        self.shop: ShopInfo | None = None
        self._shop_fetched = 0.0  # time.monotonic() of the last fetch
        self._on_synced = on_synced
        self._backoff = backoff or Backoff()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sync", daemon=True)

    def start(self) -> Syncer:
        self._thread.start()
        return self

    def wake(self) -> None:
        """Try now (a new inquiry was saved, or the user asked)."""
        self._wake.set()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop soon; a round cut short is sent again next time (the server dedupes)."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.client.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            wait = self._attempt()
            self._wake.wait(wait)  # None: only when woken
            self._wake.clear()

    def _attempt(self) -> float | None:
        """One round; returns how long to wait before the next."""
        try:
            if self.shop is None or time.monotonic() - self._shop_fetched > SHOP_REFRESH_SECONDS:
                info = self.client.shop_info()
                self.shop = replace(info, form=self.client.form())
                self._shop_fetched = time.monotonic()
            sent = sync_pending(self.store, self.client)
        except TokenRefused as refused:
            self.status = SyncStatus(str(refused), self.status.last_synced, None, stopped=True)
            log.warning("sync stopped: token refused", extra={"error": str(refused)})
            return None
        except SyncFailed as failure:
            return self._retry_later(str(failure))
        except Exception as error:  # a bug must not end sync for good, nor pass unseen
            if self._stopping.is_set():
                return 0  # the store was closed under a last, unfinished round
            log.exception("sync round failed")
            return self._retry_later(f"Sync hit an unexpected error ({error}).")
        self._backoff.reset()
        self.status = SyncStatus(None, datetime.now().astimezone(), None)
        if sent:
            log.info("synced", extra={"inquiries": sent})
            self._on_synced()
        return IDLE_POLL_SECONDS

    def _retry_later(self, error: str) -> float:
        wait = self._backoff.next_wait()
        self.status = SyncStatus(error, self.status.last_synced, time.monotonic() + wait)
        log.info("sync failed; retrying", extra={"error": error, "wait": wait})
        return wait
