"""The dashboard's rollups: the inquiries of settled days counted once, then read in their place.

Three tables (`models/rollup.py`): inquiries per type, gender, age band and location, and per
type, location, gender and age, for blocks of 2**k whole UTC days; inquiries per UTC hour by
quarter. `settle`, called by the writers' side only (`analytics/settling.py`), brings a shop's
rollups up to its settled days (`inquiries/settled.py`) and counts late days again. A reader
asks what the rollups hold (`coverage`: read, never written) and takes a period's whole days
from at most two blocks per level, and the rest — the partial first and last day, the days not
settled yet, the days marked late since — from the inquiries' covering index, so a year of a
busy shop is about 15 blocks instead of half a million inquiries, and the figures are the
counted ones however long ago the rollups were settled.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
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

from barberbot.analytics.bands import band_expression, bands_condition
from barberbot.analytics.filters import Period, Selection
from barberbot.inquiries import settled
from barberbot.inquiries.settled import day_of, start_of
from barberbot.models import Inquiry, LateDay, RollupAge, RollupCount, RollupHour, SettledMark

READER = "rollups"
TOP_LEVEL = 9  # blocks of 1, 2, 4 ... 512 days
BUILD_DAYS = 32  # days counted from the inquiries per query when settling
COUNT_KEYS = ("inquiry_type", "gender", "age_band", "location")
AGE_KEYS = ("inquiry_type", "location", "gender", "age")


@dataclass(frozen=True)
class Coverage:
    """The days some shops' rollups all hold: every day before `before` but the `late` ones."""

    before: int
    late: frozenset[int] = frozenset()


def coverage(session: Session, shop_ids: Collection[int]) -> Coverage | None:
    """What the shops' rollups hold now; None if one of them was never settled. Reads only."""
    if not shop_ids:
        return None
    marks = session.scalars(
        select(SettledMark.through_day).where(
            SettledMark.shop_id.in_(shop_ids), SettledMark.reader == READER
        )
    ).all()
    if len(marks) < len(set(shop_ids)):
        return None
    before = min(marks)
    late = session.scalars(
        select(LateDay.day)
        .where(LateDay.shop_id.in_(shop_ids), LateDay.reader == READER, LateDay.day < before)
        .distinct()
    )
    return Coverage(before, frozenset(late))


@dataclass(frozen=True)
class Split:
    """A period as runs of whole days the rollups hold, [first, end) each, and the rest."""

    days: tuple[tuple[int, int], ...]
    edges: tuple[Period, ...]


def split(period: Period, held: Coverage) -> Split:
    first = day_of(period.start)
    if start_of(first) < period.start:
        first += 1
    end = min(day_of(period.end), held.before)
    if first >= end:
        return Split((), (period,))
    late = [day for day in held.late if first <= day < end]
    days = settled.runs(day for day in range(first, end) if day not in held.late)
    edges = [Period(period.start, start_of(first)), Period(start_of(end), period.end)]
    edges += [Period(start_of(a), start_of(b)) for a, b in settled.runs(late)]
    return Split(tuple(days), tuple(e for e in edges if e.start < e.end))


def blocks(first: int, end: int) -> list[tuple[int, int]]:
    """(level, first day) of the fewest aligned blocks covering the days [first, end)."""
    found = []
    while first < end:
        level = 0
        while level < TOP_LEVEL and first % (2 << level) == 0 and first + (2 << level) <= end:
            level += 1
        found.append((level, first))
        first += 1 << level
    return found


def serves_counts(selection: Selection) -> bool:
    """Custom answers are not in the rollups: with those filters the inquiries are read."""
    return not selection.by_answers


def serves_hours(selection: Selection) -> bool:
    """The hourly rollup has no filters: a filtered view reads its hours from the index."""
    return not selection.filtered


# -- reading ---------------------------------------------------------------------------------


def counts(session: Session, selection: Selection, days: Sequence[tuple[int, int]]) -> pd.DataFrame:
    """Inquiries and consenting ones by inquiry_type, gender, age_band, shop_id, location."""
    table = RollupCount
    where = [*_in_blocks(table, selection, days), *_filters(table, selection)]
    if selection.age_bands:
        where.append(table.age_band.in_(selection.age_bands))
    keys = [table.inquiry_type, table.gender, table.age_band, table.shop_id, table.location]
    query = (
        select(*keys, func.sum(table.inquiries), func.sum(table.consenting))
        .where(*where)
        .group_by(*keys)
    )
    columns = ["inquiry_type", "gender", "age_band", "shop_id", "location"]
    frame = pd.DataFrame(
        [tuple(row) for row in session.execute(query)],
        columns=[*columns, "inquiries", "consenting"],
    )
    frame["location"] = frame["location"].where(frame["location"] != "", None)
    return frame.astype({"inquiries": "int64", "consenting": "int64"})


def ages(session: Session, selection: Selection, days: Sequence[tuple[int, int]]) -> pd.DataFrame:
    """Inquiries by age."""
    table = RollupAge
    where = [*_in_blocks(table, selection, days), *_filters(table, selection)]
    if selection.age_bands:
        where.append(bands_condition(table.age, list(selection.age_bands)))
    query = select(table.age, func.sum(table.inquiries)).where(*where).group_by(table.age)
    frame = pd.DataFrame([tuple(r) for r in session.execute(query)], columns=["age", "inquiries"])
    return frame.astype({"age": "int64", "inquiries": "int64"})


def _filters(
    table: type[RollupCount] | type[RollupAge], selection: Selection
) -> list[ColumnElement[bool]]:
    """The gender, type and location filters, which both block tables keep."""
    where: list[ColumnElement[bool]] = []
    if selection.genders:
        where.append(table.gender.in_(selection.genders))
    if selection.inquiry_types:
        where.append(table.inquiry_type.in_(selection.inquiry_types))
    if selection.locations:
        where.append(table.location.in_(selection.locations))
    return where


def hours(
    session: Session, shop_ids: Sequence[int], days: Iterable[tuple[int, int]]
) -> pd.DataFrame:
    """Inquiries per UTC hour (hours since 1970) and quarter: columns hour, q0 .. q3."""
    table = RollupHour
    spans = [table.hour.between(first * 24, end * 24 - 1) for first, end in days]
    if not spans:
        return pd.DataFrame(columns=["hour", "q0", "q1", "q2", "q3"], dtype="int64")
    quarters = [func.sum(getattr(table, f"q{n}")) for n in range(4)]
    query = (
        select(table.hour, *quarters)
        .where(table.shop_id.in_(shop_ids), or_(*spans))
        .group_by(table.hour)
    )
    rows = [tuple(row) for row in session.execute(query)]
    return pd.DataFrame(rows, columns=["hour", "q0", "q1", "q2", "q3"]).astype("int64")


def _in_blocks(
    table: type[RollupCount] | type[RollupAge],
    selection: Selection,
    days: Sequence[tuple[int, int]],
) -> list[ColumnElement[bool]]:
    chosen = [block for first, end in days for block in blocks(first, end)]
    return [
        table.shop_id.in_(selection.shop_ids),
        or_(*(and_(table.level == level, table.first_day == first) for level, first in chosen)),
    ]


# -- settling --------------------------------------------------------------------------------


def settle(
    session: Session, shop_ids: Sequence[int], now: datetime | None = None
) -> tuple[int, bool]:
    """Bring the shops' rollups up to their settled days; (first day not settled, whether
    anything was written: the edge then commits). For the writers' side only."""
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
