"""A custom form as the API and the editor send and read it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
FIELDS_MAX = 40
OPTIONS_MAX = 30
OPTION_MAX = 80


class FieldType(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    DATE = "date"
    YES_NO = "yes_no"

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]

    @property
    def has_options(self) -> bool:
        return self in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE)


_TYPE_LABELS = {
    FieldType.SHORT_TEXT: "Short text",
    FieldType.LONG_TEXT: "Long text",
    FieldType.NUMBER: "Number",
    FieldType.SINGLE_CHOICE: "Single choice",
    FieldType.MULTIPLE_CHOICE: "Multiple choice",
    FieldType.DATE: "Date",
    FieldType.YES_NO: "Yes / no",
}


class FormField(BaseModel):
    """One question. A retired field is no longer asked; its earlier answers stay readable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=KEY_PATTERN, description="Stable name the answers are kept under")
    label: str = Field(min_length=1, max_length=120)
    help_text: str = Field(default="", max_length=300)
    type: FieldType
    required: bool = False
    options: tuple[str, ...] = Field(default=(), max_length=OPTIONS_MAX)
    min: float | None = Field(default=None, description="Number fields: the smallest answer")
    max: float | None = Field(default=None, description="Number fields: the largest answer")
    retired: bool = False

    @field_validator("label", "help_text", mode="before")
    @classmethod
    def _stripped(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("options", mode="before")
    @classmethod
    def _clean_options(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return value
        cleaned = [v.strip() if isinstance(v, str) else v for v in value]
        return tuple(v for v in cleaned if v != "")

    @model_validator(mode="after")
    def _consistent(self) -> FormField:
        if self.type.has_options:
            if not self.options:
                raise ValueError("A choice question needs at least one option.")
            if len(set(self.options)) != len(self.options):
                raise ValueError("Each option can be offered only once.")
            if any(len(option) > OPTION_MAX for option in self.options):
                raise ValueError(f"Options are at most {OPTION_MAX} characters.")
        elif self.options:
            raise ValueError("Only choice questions have options.")
        if self.type != FieldType.NUMBER and (self.min is not None or self.max is not None):
            raise ValueError("Only number questions have a minimum and maximum.")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("The minimum must not be larger than the maximum.")
        return self


class FormUpdate(BaseModel):
    """The whole form, in order. A field left out is retired, never forgotten."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "fields": [
                        {
                            "key": "hair_type",
                            "label": "Hair type",
                            "type": "single_choice",
                            "options": ["Straight", "Wavy", "Curly"],
                            "required": True,
                        },
                        {"key": "preferred_day", "label": "Preferred day", "type": "date"},
                    ]
                }
            ]
        },
    )

    fields: list[FormField] = Field(max_length=FIELDS_MAX)

    @model_validator(mode="after")
    def _unique_keys(self) -> FormUpdate:
        keys = [f.key for f in self.fields]
        if len(set(keys)) != len(keys):
            raise ValueError("Each field needs its own key.")
        return self


class FormRead(BaseModel):
    version: int = Field(description="0 until the first edit; every edit adds one")
    created_at: datetime | None
    fields: list[FormField]
