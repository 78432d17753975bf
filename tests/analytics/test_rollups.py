"""Rollups give the same figures as counting the inquiries, whatever the zone, period, filters,
and however late an inquiry arrives; on SQLite and MariaDB."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.analytics import rollups
from barberbot.analytics.filters import Period, Selection, period_for
from barberbot.analytics.summary import Summary, summarise
from barberbot.forms.store import SqlAnswerStore
from barberbot.inquiries import service, settled, writer
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import LateDay, RollupCount, Shop, Source
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
        assert len(found) <= 2 * rollups.TOP_LEVEL + (end - first) // 512


def test_split_keeps_partial_and_unsettled_days_for_the_index() -> None:
    start = settled.start_of(100) + timedelta(hours=5)
    end = settled.start_of(110) + timedelta(hours=3)

    cut = rollups.split(Period(start, end), settled_before=108)

    assert cut.days == (101, 108)
    assert cut.edges == (
        Period(start, settled.start_of(101)),
        Period(settled.start_of(108), end),
    )
    assert rollups.split(Period(start, end), settled_before=101).edges == (Period(start, end),)


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


def _settled(session: Session, shop: Shop) -> int:
    before, _ = rollups.settle(session, [shop.id])
    session.commit()
    return before


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


def _both(
    session: Session, shop: Shop, zone: ZoneInfo, period: Period, **filters: Any
) -> tuple[Summary, Summary]:
    selection = Selection(shop_ids=(shop.id,), period=period, **filters)
    labels = shop.type_labels()
    before = _settled(session, shop)
    rolled = summarise(session, selection, zone, labels, settled_before=before)
    counted = summarise(session, selection, zone, labels)
    return rolled, counted


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
    session: Session, zone_name: str, view: str
) -> None:
    zone = ZoneInfo(zone_name)
    shop = make_shop(session, slug="rolled", timezone=zone_name)
    _fill(session, shop, 700, seed=len(view) + len(zone_name))

    for preset in ("7d", "30d", "365d"):
        period = period_for(preset, zone=zone, now=NOW)
        _assert_same(*_both(session, shop, zone, period, **VIEWS[view]))
    custom = period_for(None, zone=zone, now=NOW, start=date(2026, 3, 20), end=date(2026, 8, 2))
    _assert_same(*_both(session, shop, zone, custom, **VIEWS[view]))


def test_settling_again_writes_nothing_and_reads_blocks(session: Session) -> None:
    shop = make_shop(session, slug="twice")
    _fill(session, shop, 300, seed=7)
    first = rollups.settle(session, [shop.id])
    session.commit()

    assert first[1] is True
    assert rollups.settle(session, [shop.id]) == (first[0], False)
    levels = session.scalars(
        select(RollupCount.level).where(RollupCount.shop_id == shop.id).distinct()
    ).all()
    # 400 days: blocks of 256 days at least, of 512 where one ends before the settled days
    assert set(range(rollups.TOP_LEVEL)) <= set(levels) <= set(range(rollups.TOP_LEVEL + 1))


def _year(session: Session, shop: Shop) -> tuple[Summary, Summary]:
    return _both(session, shop, ZoneInfo("UTC"), period_for("365d", zone=ZoneInfo("UTC"), now=NOW))


def test_a_late_inquiry_is_counted_once_its_day_is_settled_again(session: Session) -> None:
    shop = make_shop(session, slug="late")
    _fill(session, shop, 300, seed=11)
    _settled(session, shop)
    selection = Selection(
        shop_ids=(shop.id,), period=period_for("365d", zone=ZoneInfo("UTC"), now=NOW)
    )
    old = NOW - timedelta(days=100)

    make_inquiry(session, shop=shop, received_at=old, inquiry_type="shave", age=77)
    stale = summarise(session, selection, ZoneInfo("UTC"), shop.type_labels(),
                      settled_before=settled.settled_before())  # fmt: skip
    marks = session.scalars(
        select(LateDay.day).where(LateDay.shop_id == shop.id, LateDay.reader == rollups.READER)
    ).all()
    rolled, counted = _year(session, shop)

    assert marks == [settled.day_of(old)]
    assert stale.totals["inquiries"] == counted.totals["inquiries"] - 1  # not settled yet
    _assert_same(rolled, counted)
    assert session.scalar(select(func.count()).select_from(LateDay).where(
        LateDay.shop_id == shop.id, LateDay.reader == rollups.READER)) == 0  # fmt: skip


def test_forgetting_and_importing_old_inquiries_are_settled_again(session: Session) -> None:
    shop = make_shop(session, slug="forgot")
    _fill(session, shop, 300, seed=5)
    kept = make_inquiry(session, shop=shop, received_at=NOW - timedelta(days=40), age=70)
    _settled(session, shop)

    assert service.forget(session, shop, kept.id)
    _fill(session, shop, 50, seed=6)  # a batch, as the Kafka worker and imports store them
    rolled, counted = _year(session, shop)

    _assert_same(rolled, counted)


def test_a_recent_inquiry_marks_nothing_late(session: Session) -> None:
    shop = make_shop(session, slug="recent")

    make_inquiry(session, shop=shop, received_at=NOW - timedelta(minutes=20))
    make_inquiry(session, shop=shop)

    assert session.scalar(select(func.count()).select_from(LateDay)) == 0
