"""The filters shared by listing and exporting a shop's inquiries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, Field, field_validator, model_validator

from barberbot.inquiries.rules import AGE_MAX, AGE_MIN
from barberbot.models.inquiry import Gender

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InquiryFilters(BaseModel):
    """`received_from` is inclusive, `received_to` exclusive; a plain date means its whole day."""

    received_from: datetime | date | None = None
    received_to: datetime | date | None = None
    inquiry_type: str | None = None
    gender: Gender | None = None
    age_min: int | None = Field(default=None, ge=AGE_MIN, le=AGE_MAX)
    age_max: int | None = Field(default=None, ge=AGE_MIN, le=AGE_MAX)

    @field_validator("received_from", "received_to", mode="before")
    @classmethod
    def _plain_date(cls, value: object) -> object:
        if isinstance(value, str) and _DATE_ONLY.match(value):
            return date.fromisoformat(value)
        return value

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
