"""The response target: 4 working hours (Monday to Saturday, 09:00 to 18:00) in the shop's
time zone, across a weekend, a DST change and a zone far from UTC; and the count of the
overdue ones, which must agree with `due_at` for every arrival time."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from barberbot.inbox import counts, overdue, transitions
from barberbot.models import Shop
from tests.factories import make_inquiry, make_shop


def _shop(timezone: str) -> Shop:
    return Shop(slug="s", name="S", timezone=timezone)


def _local(zone: str, *parts: int) -> datetime:
    year, month, day, hour, minute = (*parts, 0)[:5]
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Wednesday 10:00 -> 14:00 the same day
        ((2026, 3, 4, 10, 0), (2026, 3, 4, 14, 0)),
        # Wednesday 16:30: 1.5 h that day, 2.5 h on Thursday
        ((2026, 3, 4, 16, 30), (2026, 3, 5, 11, 30)),
        # before opening counts from opening
        ((2026, 3, 4, 6, 15), (2026, 3, 4, 13, 0)),
        # Saturday 16:00: 2 h on Saturday, Sunday is off, 2 h on Monday
        ((2026, 3, 7, 16, 0), (2026, 3, 9, 11, 0)),
        # Sunday: Monday 09:00 + 4 h
        ((2026, 3, 8, 12, 0), (2026, 3, 9, 13, 0)),
        # Saturday after closing: Monday 13:00
        ((2026, 3, 7, 19, 0), (2026, 3, 9, 13, 0)),
        # exactly 4 h before closing: due at closing
        ((2026, 3, 4, 14, 0), (2026, 3, 4, 18, 0)),
    ],
)
def test_due_in_working_hours_across_the_weekend(
    received: tuple[int, ...], due: tuple[int, ...]
) -> None:
    shop = _shop("Europe/London")

    got = overdue.due_at(_local("Europe/London", *received), shop)

    assert got == _local("Europe/London", *due)
    assert got.tzinfo is not None


def test_a_dst_change_is_counted_in_local_working_hours() -> None:
    # London goes to summer time at 01:00 UTC on Sunday 29 March 2026: Saturday 17:00 GMT
    # leaves 1 h that day, and Monday opens at 09:00 BST (08:00 UTC)
    shop = _shop("Europe/London")
    received = _local("Europe/London", 2026, 3, 28, 17, 0)

    due = overdue.due_at(received, shop)

    assert due == _local("Europe/London", 2026, 3, 30, 12, 0)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 11, 0, tzinfo=UTC)
    # and back to winter time (25 October 2026): Saturday 15:00 BST -> Monday 10:00 GMT
    autumn = overdue.due_at(_local("Europe/London", 2026, 10, 24, 15, 0), shop)
    assert autumn.astimezone(UTC) == datetime(2026, 10, 26, 10, 0, tzinfo=UTC)


def test_a_zone_far_from_utc_has_its_own_working_day() -> None:
    # Auckland is UTC+13 in January: Friday 20:00 UTC is Saturday 09:00 there, a working day
    shop = _shop("Pacific/Auckland")
    received = datetime(2026, 1, 9, 20, 0, tzinfo=UTC)

    due = overdue.due_at(received, shop)

    assert due == _local("Pacific/Auckland", 2026, 1, 10, 13, 0)
    assert due == datetime(2026, 1, 10, 0, 0, tzinfo=UTC)
    # the same instant in London is Friday 20:00, after closing: due Saturday 13:00 there
    assert overdue.due_at(received, _shop("Europe/London")) == _local(
        "Europe/London", 2026, 1, 10, 13, 0
    )


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Auckland", "America/Los_Angeles"])
def test_the_cutoff_agrees_with_due_at_for_every_arrival(zone: str) -> None:
    """`t <= overdue_through(now)` exactly when `due_at(t) <= now`, around weekends and DST."""
    shop = _shop(zone)
    rng = random.Random(16)
    start = datetime(2026, 3, 1, tzinfo=UTC)  # March has DST changes on both sides
    for _ in range(300):
        now = start + timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        cutoff = overdue.overdue_through(now, shop)
        assert overdue.due_at(cutoff, shop) <= now
        assert overdue.due_at(cutoff + timedelta(microseconds=1), shop) > now
        arrival = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 5))
        assert (arrival <= cutoff) == (overdue.due_at(arrival, shop) <= now)


def test_a_target_without_working_time_is_refused() -> None:
    with pytest.raises(ValueError, match="working time"):
        overdue.Target(days=frozenset())


def test_counts_new_and_overdue_at_a_fixed_time(session: Session, shop: Shop) -> None:
    """The shop is in London; it is Monday 9 March 2026, 11:30."""
    london = make_shop(session, slug="london", name="London Cuts", timezone="Europe/London")
    auckland = make_shop(session, slug="akl", name="Auckland Cuts", timezone="Pacific/Auckland")
    now = _local("Europe/London", 2026, 3, 9, 11, 30)
    at = {
        "sat-15": _local("Europe/London", 2026, 3, 7, 15, 0),  # due Mon 10:00: overdue
        "sat-17": _local("Europe/London", 2026, 3, 7, 17, 0),  # due Mon 12:00: not yet
        "sun": _local("Europe/London", 2026, 3, 8, 10, 0),  # due Mon 13:00: not yet
        "answered": _local("Europe/London", 2026, 3, 2, 10, 0),  # long overdue, but opened
    }
    made = {key: make_inquiry(session, shop=london, received_at=when) for key, when in at.items()}
    transitions.change(session, london, made["answered"], None, status="open")
    # Auckland: Monday 9 March 11:30 in London is Tuesday 00:30 there; Monday 15:00 (NZDT)
    # leaves 3 h that day: due Tuesday 10:00, not yet
    make_inquiry(session, shop=auckland, received_at=_local("Pacific/Auckland", 2026, 3, 9, 15))
    # Saturday 10:00 there: due 14:00 that day, overdue
    make_inquiry(session, shop=auckland, received_at=_local("Pacific/Auckland", 2026, 3, 7, 10))
    session.commit()

    assert counts.counts(session, [london], now) == counts.Counts(unread=3, overdue=1)
    assert counts.counts(session, [auckland], now) == counts.Counts(unread=2, overdue=1)
    assert counts.counts(session, [london, auckland], now) == counts.Counts(5, 2)
    later = _local("Europe/London", 2026, 3, 9, 12, 0)  # Saturday 17:00's is due now
    assert counts.counts(session, [london], later) == counts.Counts(unread=3, overdue=2)
    assert counts.counts(session, [shop], now) == counts.Counts(0, 0)  # another shop's
    assert counts.counts(session, [], now) == counts.Counts(0, 0)
