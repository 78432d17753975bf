"""The rules for custom answers: the one place that judges them, for every entry point.

Answers arrive as JSON values (the API) or as the strings of a form post (the web form).
Errors are keyed `answers.<key>`, the name of the web form's input and the path of the
API's JSON field, so they read like the standard fields' errors.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from barberbot.forms.definition import FormDefinition
from barberbot.forms.schemas import FieldType, FormField

ANSWERS = "answers"
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 2000
REQUIRED_MESSAGE = "Please answer this question."
_YES = {"yes", "true", "y", "on", "1"}
_NO = {"no", "false", "n", "off", "0"}

Answer = str | float | int | bool | list[str]


class AnswerRejected(ValueError):
    """One answer that breaks its question's rule; the message is for the customer."""


def error_key(key: str) -> str:
    return f"{ANSWERS}.{key}"


def check_answers(form: FormDefinition, raw: Any) -> tuple[dict[str, Answer], dict[str, str]]:
    """The clean answers worth keeping, and a message per rejected one (empty when all is well)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        return {}, {ANSWERS: "Send the answers as an object of question keys and answers."}
    asked = {f.key: f for f in form.asked}
    answers: dict[str, Answer] = {}
    errors: dict[str, str] = {
        error_key(str(key)): "This form has no such question." for key in raw if key not in asked
    }
    for key, field in asked.items():
        try:
            value = _clean(field, raw.get(key))
        except AnswerRejected as rejected:
            errors[error_key(key)] = str(rejected)
            continue
        if value is None:
            if field.required:
                errors[error_key(key)] = REQUIRED_MESSAGE
        else:
            answers[key] = value
    return answers, errors


def _clean(field: FormField, value: Any) -> Answer | None:
    """The answer in its stored form, or None when the question was left blank."""
    if value is None or (isinstance(value, str | list) and not value):
        return None
    return _CLEANERS[field.type](field, value)


def _text(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        raise AnswerRejected("Answer with text.")
    text = unicodedata.normalize("NFC", value)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    text = text.strip()
    if len(text) > limit:
        raise AnswerRejected(f"Please keep this under {limit} characters.")
    return text or None


def _short_text(field: FormField, value: Any) -> str | None:
    text = _text(value, SHORT_TEXT_MAX)
    return " ".join(text.split()) if text else None


def _long_text(field: FormField, value: Any) -> str | None:
    return _text(value, LONG_TEXT_MAX)


def _number(field: FormField, value: Any) -> float | int | None:
    if isinstance(value, bool):
        raise AnswerRejected("Answer with a number.")
    if isinstance(value, str):
        value = value.strip().replace(",", ".")
        if not value:
            return None
    if not isinstance(value, str | int | float):
        raise AnswerRejected("Answer with a number.")
    try:
        number = float(value)
    except ValueError:
        raise AnswerRejected("Answer with a number, like 3 or 2.5.") from None
    if not math.isfinite(number):
        raise AnswerRejected("Answer with a number, like 3 or 2.5.")
    if field.min is not None and number < field.min:
        raise AnswerRejected(f"The smallest answer is {_plain(field.min)}.")
    if field.max is not None and number > field.max:
        raise AnswerRejected(f"The largest answer is {_plain(field.max)}.")
    return int(number) if number.is_integer() else number


def _plain(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


def _offered(field: FormField, value: Any) -> str:
    if not isinstance(value, str):
        raise AnswerRejected("Choose one of the options.")
    wanted = value.strip().casefold()
    for option in field.options:
        if option.casefold() == wanted:
            return option
    raise AnswerRejected("Choose one of: " + ", ".join(field.options) + ".")


def _single_choice(field: FormField, value: Any) -> str | None:
    if isinstance(value, str) and not value.strip():
        return None
    return _offered(field, value)


def _multiple_choice(field: FormField, value: Any) -> list[str] | None:
    if not isinstance(value, list):
        raise AnswerRejected("Answer with a list of the options chosen.")
    chosen = {_offered(field, v) for v in value if not (isinstance(v, str) and not v.strip())}
    return [option for option in field.options if option in chosen] or None


def _date(field: FormField, value: Any) -> str | None:
    if not isinstance(value, str):
        raise AnswerRejected("Answer with a date like 2026-05-31.")
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise AnswerRejected("Answer with a date like 2026-05-31.") from None


def _yes_no(field: FormField, value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if not text:
            return None
        if text in _YES:
            return True
        if text in _NO:
            return False
    raise AnswerRejected("Answer yes or no.")


_CLEANERS: dict[FieldType, Callable[[FormField, Any], Answer | None]] = {
    FieldType.SHORT_TEXT: _short_text,
    FieldType.LONG_TEXT: _long_text,
    FieldType.NUMBER: _number,
    FieldType.SINGLE_CHOICE: _single_choice,
    FieldType.MULTIPLE_CHOICE: _multiple_choice,
    FieldType.DATE: _date,
    FieldType.YES_NO: _yes_no,
}


def readable(value: Any) -> Any:
    """An answer as a spreadsheet cell: choices joined, yes/no in words."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def labelled(form: FormDefinition, answers: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(question label, readable answer) for a page: the form's order, retired questions last,
    a question no longer in the form by its key."""
    labels = {f.key: f.label for f in (*form.asked, *form.retired)}
    ordered = [key for key in labels if key in answers]
    ordered += sorted(key for key in answers if key not in labels)
    return [(labels.get(key, key), readable(answers[key])) for key in ordered]
