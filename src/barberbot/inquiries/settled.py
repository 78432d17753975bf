"""Settled days: what summaries of a shop's inquiries may take in once, and late changes.

Summaries (the dashboard's rollups, the customers table) are kept for whole UTC days that ended
more than `SETTLE_AFTER` ago; anything newer is read from the inquiries themselves. An inquiry
stored with a `received_at` more than `LATE_AFTER` old (a desktop sync, an import, a Kafka
message that waited), or forgotten, may fall in a day a summary has already taken in: the
write marks that day late for every reader, in its own transaction, and each reader sums the
day again the next time it settles.

The gap between the two delays is the margin: a write is late by its own clock when its day
could be settled by a reader's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from barberbot.models import LateDay, SettledMark
from barberbot.models.base import utcnow

LATE_AFTER = timedelta(hours=1)
SETTLE_AFTER = timedelta(hours=2)
READERS = ("rollups", "customers", "search")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def day_of(moment: datetime) -> int:
    """The UTC day (days since 1970-01-01) a moment falls in."""
    return (moment - EPOCH) // DAY


def start_of(day: int) -> datetime:
    return EPOCH + day * DAY


def settled_before(now: datetime | None = None) -> int:
    """The first day not settled: every earlier day ended at least SETTLE_AFTER ago."""
    return day_of((now or utcnow()) - SETTLE_AFTER)


def runs(days: Iterable[int], longest: int | None = None) -> list[tuple[int, int]]:
    """Consecutive days as [first, end) ranges, each at most `longest` days: one range of an
    index each."""
    found: list[tuple[int, int]] = []
    for day in sorted(set(days)):
        first, end = found[-1] if found else (day, day)
        if found and end == day and (longest is None or day - first < longest):
            found[-1] = (first, day + 1)
        else:
            found.append((day, day + 1))
    return found


def mark_late(
    session: Session, received: Iterable[tuple[int, datetime]], now: datetime | None = None
) -> None:
    """Mark the (shop_id, day) of every inquiry received more than LATE_AFTER before now."""
    cutoff = (now or utcnow()) - LATE_AFTER
    days = {(shop_id, day_of(at)) for shop_id, at in received if at < cutoff}
    if days:
        session.execute(
            insert(LateDay),
            [
                {"shop_id": shop_id, "reader": reader, "day": day}
                for shop_id, day in sorted(days)
                for reader in READERS
            ],
        )


def late_days(session: Session, shop_id: int, reader: str) -> dict[int, int]:
    """{late mark id: day} for a reader; pass the ids to `clear_late` once the days are read."""
    query = select(LateDay.id, LateDay.day).where(
        LateDay.shop_id == shop_id, LateDay.reader == reader
    )
    return {mark_id: day for mark_id, day in session.execute(query)}


def clear_late(session: Session, mark_ids: Iterable[int]) -> None:
    """Delete the marks read, by id (an import can leave thousands: a statement per 1,000)."""
    ids = sorted(mark_ids)
    for first in range(0, len(ids), 1000):
        session.execute(delete(LateDay).where(LateDay.id.in_(ids[first : first + 1000])))


def through(session: Session, shop_id: int, reader: str) -> int | None:
    """The day before which the reader has taken in every day (but late ones); None: never."""
    query = select(SettledMark.through_day).where(
        SettledMark.shop_id == shop_id, SettledMark.reader == reader
    )
    return session.scalar(query)


def advance(session: Session, shop_id: int, reader: str, day: int) -> None:
    mark = session.get(SettledMark, (shop_id, reader))
    if mark is None:
        session.add(SettledMark(shop_id=shop_id, reader=reader, through_day=day))
    else:
        mark.through_day = day
    session.flush()
