"""A shop's settings and inquiry types as the API sends and reads them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class InquiryTypeRead(BaseModel):
    key: str = Field(description="Never changes: inquiries, exports and filters hold it")
    label: str
    retired: bool = Field(
        default=False, description="No longer offered on new inquiries; old ones keep it"
    )


class ShopSettingsRead(BaseModel):
    name: str
    timezone: str = Field(description="An IANA time zone name, like 'Europe/London'")
    country: str | None = Field(
        description="ISO 3166-1 alpha-2. Phone numbers written without a +country code are "
        "read as this country's and shown in its national format; none: they need one."
    )
    consent_text: str = Field(description="The marketing consent box's words; empty: standard")
    thanks_text: str = Field(
        description="Shown after a customer sends the web form; empty: standard"
    )
    brand_colour: str | None = Field(description="'#1f6feb': the web form's buttons and accents")
    logo_url: str | None = Field(description="The web form's logo, if any")
    retention_months: int | None = Field(
        description="Erase the inquiries of customers who did not agree to marketing after this "
        "many months; none: never (the default)"
    )
    inquiry_types: list[InquiryTypeRead] = Field(description="Every type in order, retired too")
    version: int = Field(description="0 until the first saved change; each change adds one")


class ShopSettingsUpdate(BaseModel):
    """The settings to change; those left out stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "King's Cuts",
                    "timezone": "Europe/London",
                    "country": "GB",
                    "thanks_text": "Thanks! We answer within a day.",
                    "brand_colour": "#1f6feb",
                    "retention_months": 24,
                }
            ]
        },
    )

    name: str | None = None
    timezone: str | None = None
    country: str | None = Field(default=None, description="null: no country")
    consent_text: str | None = None
    thanks_text: str | None = None
    brand_colour: str | None = Field(default=None, description="null: the standard colour")
    retention_months: int | None = Field(default=None, description="null: keep everything")

    def given(self) -> dict[str, Any]:
        return {field: getattr(self, field) for field in self.model_fields_set}


class InquiryTypeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(description="Its key is made from it, once")


class InquiryTypeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(default=None, description="A new label; the key stays")
    retired: bool | None = Field(default=None, description="true: retire it; false: bring back")


class InquiryTypeOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keys: list[str] = Field(description="Every type's key, each once, in the new order")


class SettingsVersionRead(BaseModel):
    version: int
    created_at: datetime
    created_by: str | None = Field(description="The e-mail of who saved it")
    changed: list[str]
    settings: dict[str, Any]
