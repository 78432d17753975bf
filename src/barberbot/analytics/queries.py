"""The aggregates, computed by the database: only counts (and one page of rows) come back.

However many inquiries a shop has, each query returns at most a few thousand rows (counts per
type, gender, age and location; per local hour), so the dashboard's memory does not grow with
the data. Given what the rollups hold (`rollups.coverage`), a period's whole days there are read
from the rollups and only the rest from the inquiries; otherwise a period is one range of the
covering index `ix_inquiries_shop_received_cover`, or, with a gender, type or location filter,
of that filter's own index (`narrowed`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any, TypeVarTuple
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    case,
    distinct,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from barberbot.analytics import rollups
from barberbot.analytics.answer_sql import answers_condition
from barberbot.analytics.bands import band_expression, band_of, bands_condition
from barberbot.analytics.filters import Period, Selection
from barberbot.analytics.rollup_settle import epoch_seconds
from barberbot.models import Inquiry

age_band = band_expression(Inquiry.age)
GROUPINGS: dict[str, Any] = {
    "gender": Inquiry.gender,
    "inquiry_type": Inquiry.inquiry_type,
    "age_band": age_band,
    "age": Inquiry.age,
    "location": Inquiry.location,
    "shop_id": Inquiry.shop_id,
}
EXPORT_COLUMNS = (
    Inquiry.id, Inquiry.shop_id, Inquiry.received_at, Inquiry.customer_name, Inquiry.age,
    Inquiry.gender, Inquiry.inquiry_type, Inquiry.phone, Inquiry.email, Inquiry.message,
    Inquiry.marketing_consent, Inquiry.consent_at, Inquiry.consent_text, Inquiry.source,
    Inquiry.location,
)  # fmt: skip
WEEK = timedelta(days=7)
_Ts = TypeVarTuple("_Ts")


def conditions(
    selection: Selection, period: Period | Sequence[Period] | None = None
) -> list[ColumnElement[bool]]:
    """The selection's filters over its period, or over other periods (any of them)."""
    periods = [period or selection.period] if not isinstance(period, Sequence) else period
    where = [
        Inquiry.shop_id.in_(selection.shop_ids),
        or_(*(and_(Inquiry.received_at >= p.start, Inquiry.received_at < p.end) for p in periods)),
    ]
    if selection.genders:
        where.append(Inquiry.gender.in_(selection.genders))
    if selection.inquiry_types:
        where.append(Inquiry.inquiry_type.in_(selection.inquiry_types))
    if selection.age_bands:
        where.append(bands_condition(Inquiry.age, list(selection.age_bands)))
    if selection.locations:
        where.append(Inquiry.location.in_(selection.locations))
    if selection.answer_ids is not None:
        where.append(_id_in(selection.answer_ids))
    elif selection.answers:
        where.append(answers_condition(selection.answers))
    return where


def narrowed(selection: Selection, query: Select[*_Ts]) -> Select[*_Ts]:
    """With a gender, type or location filter, MariaDB reads the inquiries by (shop, that
    column, time): only those of the period the filter keeps, instead of the whole period by
    the covering index (which its planner prefers, not knowing how few rows the filter keeps)."""
    index = next(
        (name for name, on in (
            ("ix_inquiries_shop_gender_received", selection.genders),
            ("ix_inquiries_shop_type", selection.inquiry_types),
            ("ix_inquiries_shop_location", selection.locations),
        ) if on),
        None,
    )  # fmt: skip
    if index is None:
        return query
    return query.with_hint(Inquiry, f"FORCE INDEX ({index})", "mysql")


def _id_in(ids: frozenset[uuid.UUID]) -> ColumnElement[bool]:
    """Inquiry.id among ids (MongoDB's answer to the choice filters), written into the SQL
    itself: one parameter per id would overrun SQLite's limit on a busy shop's year."""
    if not ids:
        return false()
    listed: BindParameter[Any] = bindparam(
        "answer_ids",
        sorted(str(i) for i in ids),
        type_=String(36),  # the ids' text, as UUIDString keeps them
        expanding=True,
        literal_execute=True,
        unique=True,
    )
    return Inquiry.id.in_(listed)


def counts(
    session: Session,
    selection: Selection,
    *by: str,
    period: Period | Sequence[Period] | None = None,
) -> pd.DataFrame:
    """Inquiries, and those with marketing consent, per combination of the `by` groupings.

    One scan of the period gives every breakdown the dashboard shows: grouped by inquiry type,
    gender, age, shop and location it is a few thousand rows at most, which pandas sums up.
    """
    columns = [GROUPINGS[name].label(name) for name in by]
    consenting = func.sum(case((Inquiry.marketing_consent, 1), else_=0))
    query = (
        select(*columns, func.count().label("inquiries"), consenting.label("consenting"))
        .where(*conditions(selection, period))
        .group_by(*columns)
    )
    frame = pd.DataFrame(_tuples(session, query), columns=[*by, "inquiries", "consenting"])
    return frame.astype({"inquiries": "int64", "consenting": "int64"})


SEGMENT_PLACE = ["inquiry_type", "gender", "age_band", "shop_id", "location"]
SUMS = ["inquiries", "consenting"]


def segments_and_ages(
    session: Session, selection: Selection, held: rollups.Coverage | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The period's counts by SEGMENT_PLACE, and by age.

    With `held` (what the rollups hold) the whole days they hold come from the rollups and only
    the rest from the index; otherwise one scan of the index gives both.
    """
    cut = _cut(selection, selection.period, held, rollups.serves_counts)
    segments, ages = [], []
    if cut.edges:
        fine = counts(session, selection, "inquiry_type", "gender", "age", "shop_id",
                      "location", period=cut.edges)  # fmt: skip
        segments.append(_with_bands(fine))
        ages.append(fine[["age", "inquiries"]])
    if cut.days:
        segments.append(rollups.counts(session, selection, cut.days))
        ages.append(rollups.ages(session, selection, cut.days))
    return _summed(segments, SEGMENT_PLACE, SUMS), _summed(ages, ["age"], ["inquiries"])


def segments(
    session: Session, selection: Selection, period: Period, held: rollups.Coverage | None = None
) -> pd.DataFrame:
    """Counts by SEGMENT_PLACE over another period (the previous one), as above."""
    cut = _cut(selection, period, held, rollups.serves_counts)
    frames = [counts(session, selection, *SEGMENT_PLACE, period=cut.edges)] if cut.edges else []
    if cut.days:
        frames.append(rollups.counts(session, selection, cut.days))
    return _summed(frames, SEGMENT_PLACE, SUMS)


def _cut(
    selection: Selection,
    period: Period,
    held: rollups.Coverage | None,
    serves: Callable[[Selection], bool],
) -> rollups.Split:
    if held is None or not serves(selection):
        return rollups.Split((), (period,))
    return rollups.split(period, held)


def _with_bands(by_age: pd.DataFrame) -> pd.DataFrame:
    """Counts by SEGMENT_PLACE from counts by age instead of age band."""
    bands = by_age.assign(age_band=[band_of(int(age)) for age in by_age["age"]])
    return bands[[*SEGMENT_PLACE, *SUMS]]


def _summed(frames: list[pd.DataFrame], keys: list[str], sums: list[str]) -> pd.DataFrame:
    """The frames' rows added up by `keys`."""
    frames = [frame for frame in frames if not frame.empty] or frames[:1]
    joined = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    summed = joined.groupby(keys, dropna=False)[sums].sum().reset_index()
    return summed.astype({name: "int64" for name in sums})


def _tuples(session: Session, query: Any) -> list[tuple[Any, ...]]:
    """Plain tuples: pandas probes Row objects for keys, which costs more than the query."""
    return [tuple(row) for row in session.execute(query)]


def local_hours(
    session: Session, selection: Selection, zone: ZoneInfo, held: rollups.Coverage | None = None
) -> pd.DataFrame:
    """Inquiries per hour of the shops' local time, from a week before the period to its end.

    Columns: `hour` (naive local time), `current` (in the period), `earlier` (before the
    period's end less a week: the span a week-on-week comparison shifts forward) and
    `inquiries`. Bucketed after adding each moment's UTC offset, so zones half an hour off UTC
    (Asia/Kolkata) and daylight-saving changes inside the period come out right; a year is at
    most 2 x 8,784 rows. The whole days the rollups hold of an unfiltered view come from the
    hourly rollup.
    """
    period = selection.period
    span = Period(period.start - WEEK, period.end)
    splits = [_cut(selection, piece, held, rollups.serves_hours) for piece in _pieces(span, period)]
    edges = [edge for cut in splits for edge in cut.edges]
    days = [run for cut in splits for run in cut.days]
    frames = [_indexed_hours(session, selection, zone, span, edges)] if edges else []
    if days:
        frames.append(_rolled_hours(session, selection, zone, span, days))
    frame = _summed(frames, ["hour", "current", "earlier"], ["inquiries"])
    frame["hour"] = pd.to_datetime(frame["hour"].astype("int64") * 3600, unit="s")
    return frame.astype({"current": bool, "earlier": bool, "inquiries": "int64"})


def _pieces(span: Period, period: Period) -> list[Period]:
    """The span cut where `current` and `earlier` change, so each piece has one of each."""
    cuts = {t for t in (period.start, period.end - WEEK) if span.start < t < span.end}
    return [Period(a, b) for a, b in pairwise(sorted({span.start, span.end} | cuts))]


def _indexed_hours(
    session: Session, selection: Selection, zone: ZoneInfo, span: Period, edges: list[Period]
) -> pd.DataFrame:
    """Local hours of the inquiries in `edges` (parts of `span`), counted by the database."""
    period = selection.period
    hour = _local_hour(session, zone, span).label("local_hour")
    current = case((Inquiry.received_at >= period.start, 1), else_=0).label("current")
    earlier = case((Inquiry.received_at < period.end - WEEK, 1), else_=0).label("earlier")
    query = narrowed(
        selection,
        select(hour, current, earlier, func.count().label("inquiries"))
        .where(*conditions(selection, edges))
        .group_by(
            literal_column("local_hour"), literal_column("current"), literal_column("earlier")
        ),
    )
    frame = pd.DataFrame(_tuples(session, query), columns=["hour", "current", "earlier",
                                                           "inquiries"])  # fmt: skip
    return frame.astype({"hour": "int64", "current": bool, "earlier": bool, "inquiries": "int64"})


def _rolled_hours(
    session: Session,
    selection: Selection,
    zone: ZoneInfo,
    span: Period,
    days: list[tuple[int, int]],
) -> pd.DataFrame:
    """Local hours of whole days the rollups hold, from the hourly rollup's quarters: each
    quarter of a UTC hour moved by the zone's offset at its start (offsets change on quarter
    hours)."""
    rows = rollups.hours(session, selection.shop_ids, days)
    starts = (rows["hour"].to_numpy() * 3600)[:, None] + np.arange(4) * 900  # UTC seconds
    counts = rows[["q0", "q1", "q2", "q3"]].to_numpy()
    changes = offset_segments(zone, span)
    moments = [moment.timestamp() for moment, _ in changes]
    at = np.clip(np.searchsorted(moments, starts, side="right") - 1, 0, None)
    offsets = np.array([seconds for _, seconds in changes])[at]
    period = selection.period
    frame = pd.DataFrame(
        {
            "hour": ((starts + offsets) // 3600).ravel(),
            "current": (starts >= period.start.timestamp()).ravel(),
            "earlier": (starts < (period.end - WEEK).timestamp()).ravel(),
            "inquiries": counts.ravel(),
        }
    )
    frame = frame[frame["inquiries"] > 0]
    return frame.groupby(["hour", "current", "earlier"])["inquiries"].sum().reset_index()


def _local_hour(session: Session, zone: ZoneInfo, span: Period) -> ColumnElement[int]:
    """Whole hours since 1970-01-01 00:00 of local time: (UTC seconds + offset) // 3600."""
    segments = offset_segments(zone, span)
    offset: ColumnElement[int] = literal(segments[-1][1])
    if len(segments) > 1:
        offset = case(
            *((Inquiry.received_at < following, seconds)
              for (_, seconds), (following, _) in pairwise(segments)),
            else_=segments[-1][1],
        )  # fmt: skip
    return (epoch_seconds(session, Inquiry.received_at) + offset) // 3600


def offset_segments(zone: ZoneInfo, span: Period) -> list[tuple[datetime, int]]:
    """[(from, UTC offset in seconds)] of `zone` over `span`: one more per DST change."""

    def offset(moment: datetime) -> int:
        delta = moment.astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    start, end = span.start.astimezone(UTC), span.end.astimezone(UTC)  # arithmetic in UTC
    segments = [(start, offset(start))]
    moment = start
    while moment < end:
        step = min(moment + timedelta(days=1), end)
        if offset(step) != segments[-1][1]:  # changed within the day: find the second
            low, high = moment, step
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (low, middle) if offset(middle) == offset(step) else (middle, high)
            segments.append((high.replace(microsecond=0), offset(step)))
        moment = step
    return segments


def customers(session: Session, selection: Selection) -> dict[str, int]:
    """Distinct customers of the selection, and how many are new or had inquired before.

    One customer is every inquiry linked by a shared e-mail or phone number, directly or
    through other inquiries — the rule of `customers/service.py`, done in SQL without loading
    the inquiries: in the graph whose nodes are the e-mails and phones and whose edges are
    the inquiries giving both, the customers are the connected parts, and a part that has no
    cycle has one node more than it has edges. So customers = e-mails + phones - e-mail/phone
    pairs, counted distinct. That is exact unless someone's contacts form a loop (two e-mails
    each used with the same two phones), which counts that person once too few.

    A customer is returning if one of their contacts was used before the period (in the same
    shops). New customers are counted the same way over contacts not seen before, less those
    attached to an earlier contact.

    Three small queries, each over the period's distinct contacts (never a GROUP BY of whole
    inquiries by both wide columns, which MariaDB spills to disk): one look-up in the e-mail or
    phone index per contact says whether it was seen before.
    """
    emails, old_emails = _contacts(session, selection, "email")
    phones, old_phones = _contacts(session, selection, "phone")
    pairs, both_new, email_new_only, phone_new_only = _pairs(session, selection)
    total = emails + phones - pairs
    new = (emails - old_emails) + (phones - old_phones) - both_new
    new -= email_new_only + phone_new_only  # new contacts of someone seen before
    new = min(max(new, 0), total)
    return {"customers": total, "new": new, "returning": total - new}


def _seen_before(selection: Selection, column: str, value: Any) -> ColumnElement[bool]:
    earlier = aliased(Inquiry)
    return exists().where(
        earlier.shop_id.in_(selection.shop_ids),
        getattr(earlier, column) == value,
        earlier.received_at < selection.period.start,
    )


def _contacts(session: Session, selection: Selection, column: str) -> tuple[int, int]:
    """(distinct e-mails or phones of the selection, how many of them were used before)."""
    values = narrowed(
        selection,
        select(getattr(Inquiry, column).label("value"))
        .where(*conditions(selection), getattr(Inquiry, column).is_not(None))
        .distinct(),
    ).subquery()
    seen = case((_seen_before(selection, column, values.c.value), 1), else_=0)
    found, old = session.execute(select(func.count(), func.sum(seen)).select_from(values)).one()
    return int(found), int(old or 0)


def _pairs(session: Session, selection: Selection) -> tuple[int, int, int, int]:
    """The distinct (e-mail, phone) pairs of the selection: how many; how many of them are two
    new contacts; how many distinct new e-mails are paired with a phone used before, and new
    phones with an e-mail used before."""
    both = narrowed(
        selection,
        select(Inquiry.email.label("email"), Inquiry.phone.label("phone"))
        .where(*conditions(selection), Inquiry.email.is_not(None), Inquiry.phone.is_not(None))
        .distinct(),
    ).subquery()
    flagged = select(
        both.c.email,
        both.c.phone,
        _seen_before(selection, "email", both.c.email).label("old_email"),
        _seen_before(selection, "phone", both.c.phone).label("old_phone"),
    ).subquery()
    old_email, old_phone = flagged.c.old_email == 1, flagged.c.old_phone == 1
    query = select(
        func.count(),
        func.sum(case((and_(~old_email, ~old_phone), 1), else_=0)),
        func.count(distinct(case((and_(~old_email, old_phone), flagged.c.email)))),
        func.count(distinct(case((and_(~old_phone, old_email), flagged.c.phone)))),
    )
    pairs, both_new, email_new, phone_new = session.execute(query).one()
    return int(pairs), int(both_new or 0), int(email_new), int(phone_new)


def locations(session: Session, shop_ids: Sequence[int]) -> list[str]:
    """Every location the shops' inquiries name; (shop_id, location) is indexed, so MariaDB
    skips from one location to the next instead of reading the inquiries."""
    if not shop_ids:  # nobody signed in (the layout Dash checks at start-up): no query at all
        return []
    query = (
        select(Inquiry.shop_id, Inquiry.location)
        .where(Inquiry.shop_id.in_(shop_ids), Inquiry.location.is_not(None))
        .group_by(Inquiry.shop_id, Inquiry.location)
    )
    return sorted({str(location) for _, location in session.execute(query)})


def newest(session: Session, shop_ids: Sequence[int]) -> datetime | None:
    """When the shops' newest inquiry arrived: one look-up at the end of each shop's index."""
    query = select(func.max(Inquiry.received_at)).where(Inquiry.shop_id.in_(shop_ids))
    return session.scalar(query)


def latest(
    session: Session, selection: Selection, limit: int = 25, offset: int = 0
) -> list[Inquiry]:
    """One page of the selected inquiries, newest first.

    Asked shop by shop: one shop's newest rows are the start of its index range, while
    several shops' together would have to be sorted in full first.
    """
    found: list[Inquiry] = []
    for shop_id in selection.shop_ids:
        query = (
            select(Inquiry)
            .where(*conditions(replace(selection, shop_ids=(shop_id,))))
            .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
            .limit(limit + offset)
        )
        found.extend(session.scalars(query))
    found.sort(key=lambda inquiry: (inquiry.received_at, str(inquiry.id)), reverse=True)
    return found[offset : offset + limit]


def stream_selected(
    session: Session, selection: Selection, chunk: int = 2000
) -> Iterator[Sequence[Any]]:
    """Every selected inquiry, newest first, `chunk` rows at a time (columns: EXPORT_COLUMNS).

    For downloads: the driver streams the result (a server-side cursor on MariaDB), so only
    one chunk is in memory however many rows there are.
    """
    query = (
        select(*EXPORT_COLUMNS)
        .where(*conditions(selection))
        .order_by(Inquiry.received_at.desc(), Inquiry.id.desc())
        .execution_options(yield_per=chunk)
    )
    yield from session.execute(query).partitions()
