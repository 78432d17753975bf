"""What the owner is looking at: which shops, which period, which customers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PRESETS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC."""

    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - (self.end - self.start), self.start)


def period_for(
    preset: str | None,
    *,
    zone: ZoneInfo,
    now: datetime,
    start: date | None = None,
    end: date | None = None,
) -> Period:
    """A preset ('30d': the last 30 days up to now) or whole local days from start to end."""
    if start is not None and end is not None:
        if end < start:
            start, end = end, start
        return Period(_local_midnight(start, zone), _local_midnight(end + timedelta(days=1), zone))
    days = PRESETS.get(preset or "30d", 30)
    return Period(now - timedelta(days=days), now)


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone)


@dataclass(frozen=True)
class Selection:
    """The filters of one view; empty lists mean everyone."""

    shop_ids: tuple[int, ...]
    period: Period
    genders: tuple[str, ...] = ()
    age_bands: tuple[str, ...] = ()
    inquiry_types: tuple[str, ...] = ()
    locations: tuple[str, ...] = field(default=())
    # custom choice questions: (key, options) — the answer includes one of the options
    answers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # with answers kept outside SQL (MongoDB): the ids of the shop's inquiries in the period
    # whose answers pass `answers`, found by the answer store; None: test them in SQL
    answer_ids: frozenset[uuid.UUID] | None = None

    @property
    def by_answers(self) -> bool:
        """Filtered by custom questions' answers."""
        return bool(self.answers) or self.answer_ids is not None

    @property
    def filtered(self) -> bool:
        """Narrowed to some customers by any filter, not only to shops and a period."""
        return self.by_answers or bool(
            self.genders or self.age_bands or self.inquiry_types or self.locations
        )

    def with_period(self, period: Period) -> Selection:
        return replace(self, period=period)
