"""Sync from the counter to a real running server: offline, then online, exactly once."""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.auth import tokens
from barberbot.core.choices import DEFAULT_INQUIRY_TYPES
from barberbot.desktop.config import DesktopConfig
from barberbot.desktop.status import status_line
from barberbot.desktop.store import LocalStore
from barberbot.desktop.sync import Backoff, Syncer
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import ApiToken, Inquiry, Shop
from barberbot.models.base import utcnow
from tests.factories import inquiry_payload
from tests.support.live import LiveServer
from tests.support.ports import free_port

QUICK = Backoff(first=0.05, cap=0.2)


def _wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for sync")
        time.sleep(0.05)


def _save(store: LocalStore, count: int, **overrides: Any) -> list[str]:
    saved = []
    for number in range(count):
        payload = inquiry_payload(customer_name=f"Customer {number}", **overrides)
        inquiry = validate_inquiry(payload, dict(DEFAULT_INQUIRY_TYPES))
        saved.append(str(store.save(inquiry).id))
    return saved


def _server_ids(session: Session) -> list[str]:
    session.rollback()  # a fresh snapshot (MariaDB reads are repeatable within one)
    return sorted(str(i) for i in session.scalars(select(Inquiry.id)))


def test_offline_then_online_every_inquiry_arrives_exactly_once(
    app: FastAPI, session: Session, store: LocalStore, config: Callable[[int], DesktopConfig]
) -> None:
    port = free_port()  # nothing listens there yet: the counter is offline
    syncer = Syncer(store, config(port), backoff=QUICK).start()
    try:
        saved = _save(store, 5)
        _wait_for(lambda: syncer.status.error is not None)
        assert "Cannot reach the server" in (syncer.status.error or "")
        assert store.pending_count() == 5

        with LiveServer(app, port=port):  # back online
            _wait_for(lambda: store.pending_count() == 0)
            saved += _save(store, 3)
            syncer.wake()
            _wait_for(lambda: store.pending_count() == 0)
            assert syncer.status.error is None
    finally:
        syncer.stop()

    assert _server_ids(session) == sorted(saved)
    stored = session.scalars(select(Inquiry)).all()
    assert {i.source for i in stored} == {"desktop"}


def test_a_restart_after_a_lost_answer_sends_again_but_stores_once(
    app: FastAPI,
    session: Session,
    store: LocalStore,
    config: Callable[[int], DesktopConfig],
    tmp_path: Path,
) -> None:
    with LiveServer(app) as server:
        saved = _save(store, 4)
        first = Syncer(store, config(server.port), backoff=QUICK).start()
        _wait_for(lambda: store.pending_count() == 0)
        first.stop()
        # The app died after the server stored them but before it noted so:
        with sqlite3.connect(tmp_path / "counter.db") as raw:
            raw.execute("UPDATE inquiries SET synced_at = NULL")
        assert store.pending_count() == 4

        second = Syncer(store, config(server.port), backoff=QUICK).start()
        _wait_for(lambda: store.pending_count() == 0)
        second.stop()

    assert _server_ids(session) == sorted(saved)


def test_an_inquiry_the_shop_no_longer_takes_is_kept_as_refused_and_not_resent(
    app: FastAPI,
    session: Session,
    shop: Shop,
    store: LocalStore,
    config: Callable[[int], DesktopConfig],
) -> None:
    shop.inquiry_types = [{"key": "haircut", "label": "Haircut"}]  # stopped offering the rest
    session.commit()
    _save(store, 1, inquiry_type="haircut")
    _save(store, 1, inquiry_type="beard_trim")

    with LiveServer(app) as server:
        syncer = Syncer(store, config(server.port), backoff=QUICK).start()
        _wait_for(lambda: store.pending_count() == 0)
        syncer.stop()

    [refused] = [s for s in store.all() if s.rejected]
    assert refused.data["inquiry_type"] == "beard_trim"
    assert refused.rejected == {"inquiry_type": "Choose one of: Haircut."}
    assert store.rejected_count() == 1
    assert len(_server_ids(session)) == 1
    assert syncer.shop is not None
    assert syncer.shop.inquiry_types == {"haircut": "Haircut"}


def test_a_wrong_token_is_reported_and_nothing_is_marked_synced(
    app: FastAPI, store: LocalStore, config: Callable[[int], DesktopConfig]
) -> None:
    _save(store, 2)
    with LiveServer(app) as server:
        wrong = config(server.port).model_copy(update={"api_token": "bbt_not-a-token"})
        syncer = Syncer(store, wrong, backoff=QUICK).start()
        _wait_for(lambda: syncer.status.error is not None)
        syncer.stop()

    assert syncer.status.error == (
        "That API token is not valid. Sync stopped: paste a working token in Settings."
    )
    assert syncer.status.stopped
    assert store.pending_count() == 2


def test_backoff_doubles_to_its_cap_with_jitter() -> None:
    low, high = Backoff(1, 8, rand=lambda: 0.0), Backoff(1, 8, rand=lambda: 1.0)

    assert [high.next_wait() for _ in range(6)] == [1, 2, 4, 8, 8, 8]
    assert [low.next_wait() for _ in range(5)] == [0.5, 1, 2, 4, 4]
    high.reset()
    assert high.next_wait() == 1


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


def test_a_server_that_never_answers_times_out_and_retries(
    store: LocalStore, config: Callable[[int], DesktopConfig], black_hole: int
) -> None:
    _save(store, 1)
    syncer = Syncer(store, config(black_hole), backoff=QUICK, timeout=0.3).start()
    _wait_for(lambda: syncer.status.error is not None)
    syncer.stop()

    assert syncer.status.error == "Cannot reach the server (no answer in time)."
    assert store.pending_count() == 1


def test_a_revoked_token_stops_sync_with_a_clear_message(
    app: FastAPI, session: Session, store: LocalStore, config: Callable[[int], DesktopConfig]
) -> None:
    _save(store, 1)
    with LiveServer(app) as server:
        syncer = Syncer(store, config(server.port), backoff=QUICK).start()
        _wait_for(lambda: store.pending_count() == 0)
        [token] = session.scalars(select(ApiToken)).all()
        tokens.revoke(session, token, utcnow())  # on the account page, say
        session.commit()
        _save(store, 1)
        syncer.wake()
        _wait_for(lambda: syncer.status.error is not None)
        syncer.stop()

    assert syncer.status.error == (
        "That API token (counter) was revoked. Make a new one under Account → API tokens. "
        "Sync stopped: paste a working token in Settings."
    )
    assert syncer.status.stopped
    assert syncer.status.retry_at is None  # no retries of its own
    assert store.pending_count() == 1  # kept for when a new token comes
    line = status_line(waiting=1, refused=0, sync=syncer.status, workbook=Path("w.xlsx"))
    assert "sync stopped — That API token (counter) was revoked." in line
