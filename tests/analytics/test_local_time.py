"""Days, weeks and hours in the shop's own time: DST changes, half-hour zones, week on week."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from barberbot.analytics.filters import Period, Selection, period_for
from barberbot.analytics.queries import offset_segments
from barberbot.analytics.summary import Summary, summarise
from barberbot.models import Shop
from tests.factories import make_inquiry, make_shop

NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
LONDON = ZoneInfo("Europe/London")


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _summary(session: Session, shop: Shop, zone: ZoneInfo, first: date, last: date) -> Summary:
    period = period_for(None, zone=zone, now=datetime.now(UTC), start=first, end=last)
    return summarise(session, Selection(shop_ids=(shop.id,), period=period), zone, {})


def _cells(summary: Summary) -> dict[tuple[str, int], int]:
    """The heat map's non-zero cells: (weekday, local hour) -> inquiries."""
    table = summary.weekday_hour
    return {
        (str(day), int(hour)): int(table.loc[day, hour])
        for day in table.index
        for hour in table.columns
        if table.loc[day, hour]
    }


def test_new_york_across_the_end_of_daylight_saving(session: Session) -> None:
    shop = make_shop(session, slug="ny", name="NY Cuts", timezone="America/New_York")
    # New York is UTC-4 until 2026-11-01 06:00 UTC (02:00 EDT becomes 01:00 EST), then UTC-5
    for moment in (
        utc(10, 30, 14, 30),  # Friday 10:30 EDT
        utc(11, 1, 5, 30),  # Sunday 01:30 EDT
        utc(11, 1, 6, 30),  # Sunday 01:30 EST, the same wall-clock hour an hour later
        utc(11, 2, 15, 30),  # Monday 10:30 EST
        utc(11, 3, 3, 30),  # Monday 22:30 EST, already Tuesday in UTC
    ):
        make_inquiry(session, shop=shop, received_at=moment)

    summary = _summary(session, shop, NEW_YORK, date(2026, 10, 26), date(2026, 11, 8))

    assert _cells(summary) == {
        ("Friday", 10): 1,
        ("Sunday", 1): 2,
        ("Monday", 10): 1,
        ("Monday", 22): 1,
    }
    days = dict(zip(summary.per_day["day"], summary.per_day["inquiries"], strict=True))
    assert {day: n for day, n in days.items() if n} == {
        date(2026, 10, 30): 1,
        date(2026, 11, 1): 2,
        date(2026, 11, 2): 2,
    }
    assert len(days) == 14
    assert summary.busiest() == ("Sunday", 1)


def test_kolkata_is_half_an_hour_off_the_utc_hours(session: Session) -> None:
    shop = make_shop(session, slug="kolkata", name="Kolkata Cuts", timezone="Asia/Kolkata")
    for moment in (
        utc(11, 2, 4, 0),  # Monday 09:30 IST
        utc(11, 2, 4, 40),  # Monday 10:10 IST: the same UTC hour, the next local one
        utc(11, 2, 4, 50),  # Monday 10:20 IST
        utc(11, 2, 18, 45),  # Tuesday 00:15 IST, still Monday in UTC
    ):
        make_inquiry(session, shop=shop, received_at=moment)

    summary = _summary(session, shop, KOLKATA, date(2026, 11, 2), date(2026, 11, 3))

    assert _cells(summary) == {("Monday", 9): 1, ("Monday", 10): 2, ("Tuesday", 0): 1}
    assert summary.per_day["day"].tolist() == [date(2026, 11, 2), date(2026, 11, 3)]
    assert summary.per_day["inquiries"].tolist() == [3, 1]
    assert summary.busiest() == ("Monday", 10)


def test_the_utc_offsets_of_a_period_follow_daylight_saving() -> None:
    span = Period(utc(10, 31, 0), utc(11, 3, 0))

    assert offset_segments(NEW_YORK, span) == [(utc(10, 31, 0), -4 * 3600),
                                               (utc(11, 1, 6), -5 * 3600)]  # fmt: skip
    assert offset_segments(KOLKATA, span) == [(utc(10, 31, 0), 19800)]
    spring = Period(utc(3, 1, 0), utc(3, 31, 0))  # London: 01:00 GMT becomes 02:00 BST
    assert offset_segments(LONDON, spring) == [(utc(3, 1, 0), 0), (utc(3, 29, 1), 3600)]


def test_weeks_run_monday_to_sunday_beside_the_week_before(session: Session) -> None:
    shop = make_shop(session, slug="weeks", name="Week Cuts", timezone="Europe/London")
    # London is on UTC in November. The period is Wednesday 11 to Sunday 22 November.
    for day, count in {3: 1, 5: 1, 10: 1, 12: 2, 14: 1, 17: 2, 20: 1, 22: 1}.items():
        for _ in range(count):
            make_inquiry(session, shop=shop, received_at=utc(11, day, 12))

    summary = _summary(session, shop, LONDON, date(2026, 11, 11), date(2026, 11, 22))

    weeks = summary.per_week
    assert weeks["week"].tolist() == [date(2026, 11, 9), date(2026, 11, 16)]
    assert weeks["days"].tolist() == [5, 7]  # the first week starts on the Wednesday
    assert weeks["inquiries"].tolist() == [3, 4]  # 12th x2, 14th | 17th x2, 20th, 22nd
    # the same days a week earlier: Wednesday 4 to Sunday 8 (the 5th; not Tuesday the 3rd),
    # then all of 9-15 November (the 10th is before the period but is the week before)
    assert weeks["previous"].tolist() == [1, 4]
    assert weeks["change"].tolist() == [2.0, 0.0]
    day_12 = summary.per_day.set_index("day").loc[date(2026, 11, 12)]
    assert (day_12["inquiries"], day_12["previous"]) == (2, 1)  # Thursday, and the one before
    # the previous period is the 12 days before: 30 October to 10 November
    assert summary.previous["inquiries"] == 3
    assert summary.totals["inquiries"] == 7
