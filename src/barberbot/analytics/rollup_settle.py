"""Settling the dashboard's rollups: the writers' side counts each settled day once.

`settle` brings a shop's rollups (`models/rollup.py`) up to its settled days
(`inquiries/settled.py`) and counts the days marked late again: one-day rows from the
inquiries, then every block of 2**k days holding one of them summed from its halves. Only the
writers' side calls it (`analytics/settling.py`); readers take what the rollups hold through
`rollups.coverage`. Apart from the reader so a worker settles without loading pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from barberbot.analytics.bands import band_expression
from barberbot.inquiries import settled
from barberbot.inquiries.settled import day_of, start_of
from barberbot.models import Inquiry, RollupAge, RollupCount, RollupHour

READER = "rollups"  # the rollups' name among the settled readers
TOP_LEVEL = 9  # blocks of 1, 2, 4 ... 512 days
BUILD_DAYS = 32  # days counted from the inquiries per query when settling
COUNT_KEYS = ("inquiry_type", "gender", "age_band", "location")
AGE_KEYS = ("inquiry_type", "location", "gender", "age")


def settle(
    session: Session, shop_ids: Sequence[int], now: datetime | None = None
) -> tuple[int, bool]:
    """Bring the shops' rollups up to their settled days; (first day not settled, whether
    anything was written: the caller commits)."""
    before = settled.settled_before(now)
    wrote = False
    for shop_id in shop_ids:
        wrote |= _settle(session, shop_id, before)
    return before, wrote


def _settle(session: Session, shop_id: int, before: int) -> bool:
    through = settled.through(session, shop_id, READER)
    marks = settled.late_days(session, shop_id, READER)
    start = through if through is not None else _first_day(session, shop_id, before)
    late = sorted({day for day in marks.values() if day < start})
    days = [*late, *range(start, before)]
    if days:
        _forget_days(session, shop_id, late)
        for first, end in settled.runs(days, BUILD_DAYS):
            _count_days(session, shop_id, first, end)
        _count_blocks(session, shop_id, days, before)
    settled.clear_late(session, marks)
    target = max(start, before)
    if through != target:
        settled.advance(session, shop_id, READER, target)
    return bool(days or marks) or through != target


def _first_day(session: Session, shop_id: int, before: int) -> int:
    first = session.scalar(select(func.min(Inquiry.received_at)).where(Inquiry.shop_id == shop_id))
    return before if first is None else min(day_of(first), before)


def _forget_days(session: Session, shop_id: int, days: Sequence[int]) -> None:
    """Drop the one-day rows of late days (their blocks are counted again from them)."""
    if not days:
        return
    for table in (RollupCount, RollupAge):
        session.execute(
            delete(table).where(
                table.shop_id == shop_id, table.level == 0, table.first_day.in_(days)
            )
        )
    session.execute(
        delete(RollupHour).where(
            RollupHour.shop_id == shop_id,
            or_(*(RollupHour.hour.between(day * 24, day * 24 + 23) for day in days)),
        )
    )


def epoch_seconds(session: Session, moment: Any) -> ColumnElement[int]:
    """Whole seconds since 1970-01-01 of a UTC datetime column, on SQLite and MariaDB."""
    if session.get_bind().dialect.name == "mysql":
        return func.timestampdiff(literal_column("SECOND"), "1970-01-01", moment, type_=Integer)
    return cast(func.strftime("%s", moment), Integer)


def _count_days(session: Session, shop_id: int, first: int, end: int) -> None:
    """The one-day rows of the days [first, end), counted from the inquiries.

    Read, then written: an INSERT ... SELECT would lock the inquiries it reads in MariaDB,
    holding up captures while it runs.
    """
    where = [
        Inquiry.shop_id == shop_id,
        Inquiry.received_at >= start_of(first),
        Inquiry.received_at < start_of(end),
    ]
    seconds = epoch_seconds(session, Inquiry.received_at)
    day = (seconds // 86400).label("day")
    band = band_expression(Inquiry.age).label("band")
    place = func.coalesce(Inquiry.location, "").label("place")
    consenting = func.sum(case((Inquiry.marketing_consent, 1), else_=0))
    by_segment = (
        select(day, Inquiry.inquiry_type, Inquiry.gender, band, place, func.count(), consenting)
        .where(*where)
        .group_by(literal_column("day"), Inquiry.inquiry_type, Inquiry.gender,
                  literal_column("band"), literal_column("place"))
    )  # fmt: skip
    _write(session, RollupCount, shop_id, by_segment, ("first_day", *COUNT_KEYS, "inquiries",
                                                       "consenting"))  # fmt: skip
    by_age = (
        select(day, Inquiry.inquiry_type, place, Inquiry.gender, Inquiry.age, func.count())
        .where(*where)
        .group_by(literal_column("day"), Inquiry.inquiry_type, literal_column("place"),
                  Inquiry.gender, Inquiry.age)
    )  # fmt: skip
    _write(session, RollupAge, shop_id, by_age, ("first_day", *AGE_KEYS, "inquiries"))
    hour = (seconds // 3600).label("hour")
    quarter = (seconds // 900) % 4
    by_hour = (
        select(hour, *(func.sum(case((quarter == n, 1), else_=0)) for n in range(4)))
        .where(*where)
        .group_by(literal_column("hour"))
    )
    _write(session, RollupHour, shop_id, by_hour, ("hour", "q0", "q1", "q2", "q3"))


def _write(
    session: Session, table: type[Any], shop_id: int, query: Any, columns: Sequence[str]
) -> None:
    level = {"level": 0} if table is not RollupHour else {}
    rows = [
        {"shop_id": shop_id, **level, **dict(zip(columns, row, strict=True))}
        for row in session.execute(query)
    ]
    if rows:
        session.execute(insert(table), rows)


def _count_blocks(session: Session, shop_id: int, days: Sequence[int], before: int) -> None:
    """Every complete block holding one of `days`, summed level by level from its halves."""
    for level in range(1, TOP_LEVEL + 1):
        size = 1 << level
        chosen = sorted({day >> level for day in days if ((day >> level) + 1) * size <= before})
        if not chosen:
            continue
        spans = [(block * size, (block + 1) * size) for block in chosen]
        for table, keys, sums in (
            (RollupCount, COUNT_KEYS, ("inquiries", "consenting")),
            (RollupAge, AGE_KEYS, ("inquiries",)),
        ):
            _sum_level(session, table, shop_id, level, spans, keys, sums)


def _sum_level(
    session: Session,
    table: Any,
    shop_id: int,
    level: int,
    spans: Sequence[tuple[int, int]],
    keys: Sequence[str],
    sums: Sequence[str],
) -> None:
    within = or_(*(and_(table.first_day >= first, table.first_day < end) for first, end in spans))
    session.execute(delete(table).where(table.shop_id == shop_id, table.level == level, within))
    block = (table.first_day - table.first_day % (1 << level)).label("block")
    columns = [getattr(table, key) for key in keys]
    summed = select(
        literal(shop_id), literal(level), block, *columns,
        *(func.sum(getattr(table, name)) for name in sums),
    ).where(table.shop_id == shop_id, table.level == level - 1, within)  # fmt: skip
    grouped = summed.group_by(literal_column("block"), *columns)
    session.execute(
        insert(table).from_select(["shop_id", "level", "first_day", *keys, *sums], grouped)
    )
