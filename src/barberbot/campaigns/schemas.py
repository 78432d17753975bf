"""What the campaigns API reads and writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from barberbot.core.addresses import email_address
from barberbot.core.params import INT_MAX


class CustomerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    first_name: str
    email: str | None
    phone: str | None
    age: int
    gender: str
    location: str | None
    inquiry_count: int
    first_inquiry_at: datetime
    last_inquiry_at: datetime
    email_consent: str
    sms_consent: str


class ConsentEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    channel: str
    state: str
    method: str
    at: datetime
    inquiry_id: Any = None
    campaign_id: int | None
    detail: dict[str, Any]


class CustomerDetail(CustomerRead):
    consent_history: list[ConsentEventRead]


class SegmentCreate(BaseModel):
    name: str
    rule: dict[str, Any] = Field(
        examples=[{"all": [{"field": "gender", "in": ["male"]}, {"field": "age", "min": 25}]}]
    )


class SegmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    rule: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class RulePreview(BaseModel):
    rule: dict[str, Any]


class SegmentPreview(BaseModel):
    count: int
    sample: list[CustomerRead]


class CampaignCreate(BaseModel):
    name: str
    segment_id: int = Field(ge=1, le=INT_MAX)
    channel: str = Field(description="email or sms")
    subject: str = ""
    body: str
    promo_code: str | None = None
    quiet_start: int | None = Field(default=21, description="SMS: no sends from this local hour")
    quiet_end: int | None = Field(default=9, description="SMS: ... until this local hour")
    attribution_days: int = 14


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    segment_id: int
    channel: str
    subject: str
    body: str
    promo_code: str | None
    token: str
    status: str
    send_at: datetime | None
    quiet_start: int | None
    quiet_end: int | None
    attribution_days: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class SendRequest(BaseModel):
    send_at: datetime | None = Field(
        default=None, description="Now if absent; without an offset, in the shop's time zone."
    )


class TestSendRequest(BaseModel):
    to: str | None = Field(default=None, description="Default: your own e-mail (e-mail only).")
    customer_id: int | None = Field(default=None, ge=1, le=INT_MAX)


class MessagePreview(BaseModel):
    customer_id: int
    to: str | None
    subject: str
    body: str


class Results(BaseModel):
    recipients: int
    waiting: int
    sent: int
    delivered: int
    failed: int
    bounced: int
    unsubscribed: int
    attributed_inquiries: int
    attributed_by_link: int
    attributed_by_promo_code: int
    attribution_ends: datetime | None
    failures: dict[str, int]


class CampaignSettingsRead(BaseModel):
    email_double_opt_in: bool
    reply_to: str | None = Field(
        default=None, description="One e-mail address customers' replies go to (none: the shop's)."
    )

    @field_validator("reply_to")
    @classmethod
    def _one_address(cls, value: str | None) -> str | None:
        return email_address(value) if value and value.strip() else None
