"""Custom questions in an imported sheet: which columns answer them, and their cells as answers.

A column answers a question of the shop's current form when its header is the question's key,
its label, or `answers.<key>` (as exports write it), in any case and spacing. The standard
fields are matched first (columns.py), so a question keyed like a standard column (`notes`)
is found by its label. Retired questions are not imported: the form no longer asks them.
The cells are only reshaped here (a spreadsheet's 4.0, dates, "A; B"); the rules in
forms/answers.py judge them, as for every other entry point.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from barberbot.forms.definition import FormDefinition
from barberbot.forms.schemas import FieldType, FormField
from barberbot.imports.columns import ColumnMap, normalise_header


def answer_columns(
    headers: Sequence[object], columns: ColumnMap, form: FormDefinition
) -> dict[int, FormField]:
    """Column index -> the question it answers; columns of standard fields are left alone."""
    names: dict[str, FormField] = {}
    for field in form.asked:
        for name in (field.key, field.label, f"answers.{field.key}"):
            names.setdefault(normalise_header(name), field)
    taken = set(columns.fields.values())
    found: dict[int, FormField] = {}
    for index, header in enumerate(headers):
        question = names.get(normalise_header(header))
        if index in taken or question is None or question in found.values():
            continue
        found[index] = question
    return found


def cell_answer(field: FormField, value: Any) -> Any:
    """A cell in the shape the rules take for the question's type."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if field.type == FieldType.DATE and isinstance(value, datetime | date):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if field.type == FieldType.MULTIPLE_CHOICE:
        return _choices(field, str(value))
    if field.type == FieldType.NUMBER or isinstance(value, bool):
        return value
    return str(value)


def _choices(field: FormField, text: str) -> list[str]:
    """ "Friend; Instagram" (as exports write it) or "Friend, Instagram"."""
    if text.strip().casefold() in {option.casefold() for option in field.options}:
        return [text]
    separator = ";" if ";" in text else ","
    return [part for part in text.split(separator) if part.strip()]
