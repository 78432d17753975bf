"""One version of a shop's form, as the rules and the pages use it (no database here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from barberbot.forms.schemas import FormField


@dataclass(frozen=True)
class FormDefinition:
    version: int  # 0: the shop never made a form
    fields: tuple[FormField, ...]
    created_at: datetime | None = None

    @property
    def asked(self) -> tuple[FormField, ...]:
        """The questions customers see, in order (retired ones are left out)."""
        return tuple(f for f in self.fields if not f.retired)

    @property
    def retired(self) -> tuple[FormField, ...]:
        return tuple(f for f in self.fields if f.retired)

    @property
    def has_questions(self) -> bool:
        return any(not f.retired for f in self.fields)

    @classmethod
    def from_stored(
        cls, version: int, fields: list[dict[str, Any]], created_at: datetime | None = None
    ) -> FormDefinition:
        return cls(version, tuple(FormField.model_validate(f) for f in fields), created_at)


NO_FORM = FormDefinition(version=0, fields=())
