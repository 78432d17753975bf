"""Rollups give the same figures as counting the inquiries, whatever the zone, period, filters,
however late an inquiry arrives, and however long ago the writers' side settled them; on SQLite
and MariaDB."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from barberbot.analytics import rollup_settle, rollups
from barberbot.analytics.filters import Period, Selection, period_for
from barberbot.analytics.settling import settle_all
from barberbot.analytics.summary import Summary, summarise
from barberbot.core.db import Database
from barberbot.forms.store import SqlAnswerStore
from barberbot.inquiries import service, settled, writer
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Inquiry, LateDay, RollupCount, SettledMark, Shop, Source
from tests.factories import inquiry_payload, make_inquiry, make_shop

NOW = datetime.now(UTC)
TYPES = ["haircut", "beard_trim", "shave", "kids_cut"]


def test_blocks_cover_the_days_once_with_aligned_blocks() -> None:
    assert rollups.blocks(3, 12) == [(0, 3), (2, 4), (2, 8)]
    for first, end in [(0, 1), (5, 6), (17, 400), (20_000, 20_365), (1, 1100)]:
        found = rollups.blocks(first, end)
        days = [day for level, start in found for day in range(start, start + (1 << level))]
        assert days == list(range(first, end))
        assert all(start % (1 << level) == 0 for level, start in found)
        assert len(found) <= 2 * rollup_settle.TOP_LEVEL + (end - first) // 512


def test_split_keeps_partial_unsettled_and_late_days_for_the_index() -> None:
    start = settled.start_of(100) + timedelta(hours=5)
    end = settled.start_of(110) + timedelta(hours=3)

    cut = rollups.split(Period(start, end), rollups.Coverage(108))
    late = rollups.split(Period(start, end), rollups.Coverage(108, frozenset({99, 103, 104})))

    assert cut.days == ((101, 108),)
    assert cut.edges == (
        Period(start, settled.start_of(101)),
        Period(settled.start_of(108), end),
    )
    assert rollups.split(Period(start, end), rollups.Coverage(101)).edges == (Period(start, end),)
    assert late.days == ((101, 103), (105, 108))
    assert late.edges == (*cut.edges, Period(settled.start_of(103), settled.start_of(105)))


def _fill(session: Session, shop: Shop, count: int, seed: int) -> None:
    """`count` inquiries over the 400 days up to now, a tenth of them in the last two days."""
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        back = rng.uniform(0, 2 if n % 10 == 0 else 400)
        when = NOW - timedelta(days=back)
        payload = inquiry_payload(
            customer_name=f"C{n}",
            age=rng.randint(6, 80),
            gender=rng.choice(["male", "female", "non_binary"]),
            inquiry_type=rng.choice(TYPES),
            marketing_consent=rng.random() < 0.5,
            location=rng.choice(["high-street", "station", None]),
            email=f"c{rng.randrange(count)}@example.com",
            phone="",
        )
        data = validate_inquiry(payload, shop.type_labels(), country=shop.country)
        rows.append(prepare(shop, data, source=Source.API, received_at=when))
    writer.write(session, rows, SqlAnswerStore())
    session.commit()


def _settled(database: Database, session: Session, now: datetime | None = None) -> None:
    """Settled by the writers' side, then read in a fresh snapshot (MariaDB reads repeatably)."""
    assert settle_all(database, now).failed == 0
    session.rollback()


def _held(session: Session, *shops: Shop) -> rollups.Coverage | None:
    return rollups.coverage(session, [shop.id for shop in shops])


def _frames(summary: Summary) -> dict[str, Any]:
    return {
        "totals": summary.totals,
        "previous": summary.previous,
        "by_age": summary.by_age,
        "by_band": summary.by_band,
        "by_gender": summary.by_gender,
        "by_type": summary.by_type,
        "band_by_type": summary.band_by_type,
        "gender_by_type": summary.gender_by_type,
        "per_day": summary.per_day,
        "per_week": summary.per_week,
        "weekday_hour": summary.weekday_hour,
        "by_location": summary.by_location,
        "insights": [insight.text for insight in summary.insights],
    }


def _assert_same(rolled: Summary, counted: Summary) -> None:
    assert rolled.totals["inquiries"] > 0
    for name, value in _frames(counted).items():
        other = _frames(rolled)[name]
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(other, value, check_dtype=False, obj=name)
        else:
            assert other == value, name


def _read(
    session: Session, shops: list[Shop], zone: ZoneInfo, period: Period, **filters: Any
) -> tuple[Summary, Summary]:
    """The figures as the dashboard reads them (the rollups where they hold the days), and
    counted from the inquiries alone."""
    selection = Selection(shop_ids=tuple(shop.id for shop in shops), period=period, **filters)
    labels = shops[0].type_labels()
    rolled = summarise(session, selection, zone, labels, held=_held(session, *shops))
    counted = summarise(session, selection, zone, labels)
    return rolled, counted


def _both(
    database: Database,
    session: Session,
    shop: Shop,
    zone: ZoneInfo,
    period: Period,
    **filters: Any,
) -> tuple[Summary, Summary]:
    _settled(database, session)
    return _read(session, [shop], zone, period, **filters)


VIEWS: dict[str, dict[str, Any]] = {
    "all": {},
    "men 25-34": {"genders": ("male",), "age_bands": ("25-34",)},
    "bands": {"age_bands": ("under 18", "65+")},
    "type": {"inquiry_types": ("shave",)},
    "location": {"locations": ("station",)},
}


@pytest.mark.parametrize("zone_name", ["Europe/London", "Asia/Kolkata", "America/St_Johns"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_rolled_up_figures_equal_the_counted_ones(
    database: Database, session: Session, zone_name: str, view: str
) -> None:
    zone = ZoneInfo(zone_name)
    shop = make_shop(session, slug="rolled", timezone=zone_name)
    _fill(session, shop, 700, seed=len(view) + len(zone_name))

    for preset in ("7d", "30d", "365d"):
        period = period_for(preset, zone=zone, now=NOW)
        _assert_same(*_both(database, session, shop, zone, period, **VIEWS[view]))
    custom = period_for(None, zone=zone, now=NOW, start=date(2026, 3, 20), end=date(2026, 8, 2))
    _assert_same(*_both(database, session, shop, zone, custom, **VIEWS[view]))


def test_settling_again_writes_nothing_and_reads_blocks(session: Session) -> None:
    shop = make_shop(session, slug="twice")
    _fill(session, shop, 300, seed=7)
    first = rollup_settle.settle(session, [shop.id])
    session.commit()

    assert first[1] is True
    assert rollup_settle.settle(session, [shop.id]) == (first[0], False)
    levels = session.scalars(
        select(RollupCount.level).where(RollupCount.shop_id == shop.id).distinct()
    ).all()
    # 400 days: blocks of 256 days at least, of 512 where one ends before the settled days
    top = rollup_settle.TOP_LEVEL
    assert set(range(top)) <= set(levels) <= set(range(top + 1))


UTC_ZONE = ZoneInfo("UTC")
YEAR = period_for("365d", zone=UTC_ZONE, now=NOW)


def _late_marks(session: Session, shop: Shop) -> list[int]:
    mine = (LateDay.shop_id == shop.id, LateDay.reader == rollup_settle.READER)
    return list(session.scalars(select(LateDay.day).where(*mine)))


def test_a_late_inquiry_is_read_from_the_index_until_its_day_is_settled_again(
    database: Database, session: Session
) -> None:
    shop = make_shop(session, slug="late")
    _fill(session, shop, 300, seed=11)
    _settled(database, session)
    old = NOW - timedelta(days=100)

    make_inquiry(session, shop=shop, received_at=old, inquiry_type="shave", age=77, email="o@x.io")
    held = _held(session, shop)
    before_settling = _read(session, [shop], UTC_ZONE, YEAR)
    assert _late_marks(session, shop) == [settled.day_of(old)]
    session.commit()
    rolled, counted = _both(database, session, shop, UTC_ZONE, YEAR)

    assert held is not None
    assert held.late == {settled.day_of(old)}
    _assert_same(*before_settling)  # the late day from the index, not from its stale rollup
    _assert_same(rolled, counted)
    assert before_settling[1].totals == counted.totals
    assert _late_marks(session, shop) == []


def test_forgetting_and_importing_old_inquiries_are_settled_again(
    database: Database, session: Session
) -> None:
    shop = make_shop(session, slug="forgot")
    _fill(session, shop, 300, seed=5)
    kept = make_inquiry(session, shop=shop, received_at=NOW - timedelta(days=40), age=70)
    _settled(database, session)

    assert service.forget(session, shop, kept.id)
    _fill(session, shop, 50, seed=6)  # a batch, as the Kafka worker and imports store them
    _assert_same(*_read(session, [shop], UTC_ZONE, YEAR))  # before settling again
    _assert_same(*_both(database, session, shop, UTC_ZONE, YEAR))


def test_the_figures_are_the_counted_ones_whatever_was_settled_and_when(
    database: Database, session: Session
) -> None:
    """Never settled; settled days or weeks ago and written to since (recent, late and
    forgotten inquiries), each shop at its own time: the readers never wait for settling."""
    near = make_shop(session, slug="near", timezone="Asia/Kolkata")
    far = make_shop(session, slug="far", timezone="Asia/Kolkata")
    _fill(session, near, 300, seed=21)
    _fill(session, far, 200, seed=22)
    zone = ZoneInfo("Asia/Kolkata")
    month = period_for("30d", zone=zone, now=NOW)

    assert _held(session, near) is None  # never settled: every figure from the index
    for period in (YEAR, month):
        _assert_same(*_read(session, [near, far], zone, period))
    _settled(database, session, now=NOW - timedelta(days=30))
    _settled(database, session, now=NOW - timedelta(days=20))  # the same shops, later
    with database.transaction() as other:  # `far` settled long before `near`
        other.execute(update(SettledMark).where(SettledMark.shop_id == far.id).values(
            through_day=SettledMark.through_day - 40))  # fmt: skip
    session.rollback()
    _fill(session, near, 60, seed=23)  # recent days not settled, and settled days marked late
    forgotten = session.scalars(select(Inquiry.id).where(Inquiry.shop_id == near.id,
        Inquiry.received_at < NOW - timedelta(days=100)).limit(3)).all()  # fmt: skip
    for inquiry_id in forgotten:
        assert service.forget(session, near, inquiry_id)
    session.commit()

    held = _held(session, near, far)
    assert held is not None
    assert held.before == settled.day_of(NOW - timedelta(days=20, hours=2)) - 40
    assert len(held.late) > 3
    for shops in ([near], [near, far]):
        _assert_same(*_read(session, shops, zone, month))
        for view in VIEWS.values():
            _assert_same(*_read(session, shops, zone, YEAR, **view))


def test_a_recent_inquiry_marks_nothing_late(session: Session) -> None:
    shop = make_shop(session, slug="recent")

    make_inquiry(session, shop=shop, received_at=NOW - timedelta(minutes=20))
    make_inquiry(session, shop=shop)

    assert session.scalar(select(func.count()).select_from(LateDay)) == 0
