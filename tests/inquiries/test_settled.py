"""Settled days: UTC day arithmetic, runs of days, and which writes mark a day late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.inquiries import settled
from barberbot.models import LateDay, Shop

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_days_are_utc_days_since_1970() -> None:
    assert settled.day_of(datetime(1970, 1, 2, 0, 0, tzinfo=UTC)) == 1
    assert settled.day_of(datetime(1970, 1, 1, 23, 59, 59, 999999, tzinfo=UTC)) == 0
    assert settled.start_of(settled.day_of(NOON)) == datetime(2026, 11, 25, tzinfo=UTC)


def test_a_day_is_settled_two_hours_after_it_ends() -> None:
    today = settled.day_of(NOON)
    midnight = settled.start_of(today)

    assert settled.settled_before(midnight + timedelta(hours=1, minutes=59)) == today - 1
    assert settled.settled_before(midnight + timedelta(hours=2)) == today


def test_runs_of_consecutive_days_at_most_so_long() -> None:
    days = [7, 3, 4, 5, 9, 10, 5]

    assert settled.runs(days) == [(3, 6), (7, 8), (9, 11)]
    assert settled.runs(days, longest=2) == [(3, 5), (5, 6), (7, 8), (9, 11)]
    assert settled.runs([]) == []


def test_only_writes_older_than_an_hour_mark_their_day_for_every_reader(
    session: Session, shop: Shop
) -> None:
    received = [NOON - timedelta(minutes=59), NOON - timedelta(hours=3),
                NOON - timedelta(days=2), NOON - timedelta(days=2, hours=1)]  # fmt: skip

    settled.mark_late(session, [(shop.id, at) for at in received], now=NOON)
    marks = session.execute(select(LateDay.reader, LateDay.day)).all()

    today = settled.day_of(NOON)
    assert sorted(marks) == sorted(
        (reader, day) for reader in settled.READERS for day in (today, today - 2)
    )
