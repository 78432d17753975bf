"""The dashboard's rollups: the inquiries of settled days counted once, then read in their place.

Three tables (`models/rollup.py`): inquiries per type, gender, age band and location, and per
type, location, gender and age, for blocks of 2**k whole UTC days; inquiries per UTC hour by
quarter, kept by the writers' side (`rollup_settle.py`). A reader asks what the rollups hold
(`coverage`: read, never written) and takes a period's whole days from at most two blocks per
level, and the rest — the partial first and last day, the days not settled yet, the days
marked late since — from the inquiries' covering index, so a year of a busy shop is about 15
blocks instead of half a million inquiries, and the figures are the counted ones however long
ago the rollups were settled.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from barberbot.analytics.bands import bands_condition
from barberbot.analytics.filters import Period, Selection
from barberbot.analytics.rollup_settle import READER, TOP_LEVEL
from barberbot.inquiries import settled
from barberbot.inquiries.settled import day_of, start_of
from barberbot.models import LateDay, RollupAge, RollupCount, RollupHour, SettledMark


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
