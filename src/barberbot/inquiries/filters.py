"""The filters shared by listing and exporting a shop's inquiries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, Field, field_validator, model_validator

from barberbot.core.choices import InquiryStatus, listed
from barberbot.inquiries.rules import AGE_MAX, AGE_MIN
from barberbot.models.base import INT_MAX
from barberbot.models.inquiry import Gender

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ASSIGNEE_ME, ASSIGNEE_NONE = "me", "none"
SEARCH_MAX = 200
_STATUSES = frozenset(status.value for status in InquiryStatus)


YEAR_MIN, YEAR_MAX = 1900, 2999  # far enough either way; 0001 and 9999 overflow in UTC


def within_years(day: date) -> bool:
    """A date a filter may name: years 1 and 9999 overflow once moved to UTC or by a day."""
    return YEAR_MIN <= day.year <= YEAR_MAX


class InquiryFilters(BaseModel):
    """`received_from` is inclusive, `received_to` exclusive; a plain date means its whole day."""

    received_from: datetime | date | None = None
    received_to: datetime | date | None = None
    inquiry_type: str | None = None
    location: str | None = Field(default=None, max_length=64, description="The shop's location")
    gender: Gender | None = None
    age_min: int | None = Field(default=None, ge=AGE_MIN, le=AGE_MAX)
    age_max: int | None = Field(default=None, ge=AGE_MIN, le=AGE_MAX)
    status: list[InquiryStatus] = Field(
        default_factory=list, description="Any of these statuses (repeat the parameter)"
    )
    assignee: str | None = Field(
        default=None, description="A user's id, `me` (the caller) or `none` (nobody's)"
    )
    q: str | None = Field(
        default=None,
        max_length=SEARCH_MAX,
        description="Text to find in the name, phone, e-mail or message",
    )

    @field_validator("received_from", "received_to", mode="before")
    @classmethod
    def _plain_date(cls, value: object) -> object:
        if isinstance(value, str) and _DATE_ONLY.match(value):
            return date.fromisoformat(value)
        return value

    @field_validator("received_from", "received_to")
    @classmethod
    def _in_range(cls, value: datetime | date | None) -> datetime | date | None:
        if value is not None and not within_years(value):
            raise ValueError(f"Give a date from the year {YEAR_MIN} to {YEAR_MAX}.")
        return value

    @field_validator("status", mode="before")
    @classmethod
    def _known_statuses(cls, value: object) -> object:
        for status in value if isinstance(value, list) else [value]:
            if status not in _STATUSES:
                raise ValueError(f"Unknown status {status!r}; choose from {listed(InquiryStatus)}.")
        return value

    @field_validator("assignee")
    @classmethod
    def _assignee(cls, value: str | None) -> str | None:
        if value is None or value in (ASSIGNEE_ME, ASSIGNEE_NONE):
            return value
        if value.isdigit() and int(value) <= INT_MAX:
            return value
        raise ValueError(f"A user's id, {ASSIGNEE_ME!r} or {ASSIGNEE_NONE!r}.")

    @field_validator("q")
    @classmethod
    def _search(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @model_validator(mode="after")
    def _normalise(self) -> InquiryFilters:
        self.received_from = _as_utc(self.received_from, end_of_day=False)
        self.received_to = _as_utc(self.received_to, end_of_day=True)
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError("age_min must not be greater than age_max")
        return self


def _as_utc(value: datetime | date | None, *, end_of_day: bool) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        start = datetime.combine(value, time.min, tzinfo=UTC)
        return start + timedelta(days=1) if end_of_day else start
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
