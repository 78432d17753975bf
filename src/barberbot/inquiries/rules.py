"""The validation rules for an inquiry: the one place every entry point asks.

The web form, the REST API, the desktop app, imports and the Kafka worker all turn their
input into an `InquiryCreate` here and get the same field-level messages back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic import model_validator as _model_validator
from pydantic_core import PydanticCustomError

from barberbot.core.choices import Gender
from barberbot.forms.answers import check_answers
from barberbot.forms.definition import NO_FORM, FormDefinition
from barberbot.inquiries.contacts import PhoneInvalid, email_normal, phone_e164

NAME_MAX = 120
MESSAGE_MAX = 2000
LOCATION_MAX = 64
AGE_MIN, AGE_MAX = 1, 120
EMAIL_MAX = 254

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0", ""}

REQUIRED_MESSAGES = {
    "customer_name": "Please enter your name.",
    "age": "Please enter your age.",
    "gender": "Please choose a gender option.",
    "inquiry_type": "Please choose what your inquiry is about.",
}
# What shops' own spreadsheets and other systems say instead of the values (compared after
# `_gender_words`: lower case, words joined by "_"); docs/imports.md lists them for owners.
_GENDER_SYNONYMS = {
    "f": "female", "woman": "female",
    "m": "male", "man": "male",
    "nb": "non_binary", "n_b": "non_binary", "nonbinary": "non_binary", "enby": "non_binary",
    "o": "other", "other_self_described": "other", "self_described": "other",
    "self_describe": "other", "diverse": "other", "divers": "other", "x": "other",
    "genderqueer": "other", "genderfluid": "other", "gender_fluid": "other", "agender": "other",
    "prefer_not_to_answer": "prefer_not_to_say", "rather_not_say": "prefer_not_to_say",
    "not_stated": "prefer_not_to_say", "undisclosed": "prefer_not_to_say",
}  # fmt: skip
CONTACT_FIELD = "contact"
CONTACT_MESSAGE = "Please give a phone number or an e-mail address so we can reply."


class InquiryInvalid(Exception):
    """Raised with a message per field; nothing is stored when it is raised."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


def _fail(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _clean_text(value: Any) -> str:
    """NFC-normalised text without control characters (tabs and newlines kept), stripped."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _fail("text", "Must be text.")
    text = value
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if not text.isprintable():  # the slow path, only for text with control characters
        text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return text.strip()


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class InquiryCreate(BaseModel):
    """A customer's inquiry as submitted, before it is stored."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "customer_name": "José Álvarez",
                    "age": 34,
                    "gender": "male",
                    "inquiry_type": "beard_trim",
                    "phone": "+44 7700 900123",
                    "email": "jose@example.com",
                    "message": "Do you have time on Saturday morning?",
                    "marketing_consent": True,
                    "location": "high-street",
                    "answers": {"hair_type": "Curly", "preferred_day": "2026-12-05"},
                }
            ]
        },
    )

    customer_name: str
    age: int
    gender: Gender
    inquiry_type: str
    phone: str | None = Field(
        default=None,
        description="Stored in E.164 (+447700900123). With its country code (+44 or 0044) it "
        "stands on its own; without, it is read in the shop's country (GET /api/v1/shops/{shop}).",
    )
    email: str | None = Field(default=None, description="Stored casefolded.")
    message: str = ""
    marketing_consent: bool = False
    consent_text: str | None = None
    location: str | None = None
    answers: dict[str, Any] = Field(
        default_factory=dict,
        description="Answers to the shop's own questions (GET /api/v1/shops/{shop}/form), "
        "by question key: text, a number, true/false, a date as YYYY-MM-DD, or a list of "
        "options for multiple choice.",
    )

    @field_validator("customer_name", mode="before")
    @classmethod
    def _name(cls, value: Any) -> str:
        name = " ".join(_clean_text(value).split())
        if not name:
            raise _fail("missing", REQUIRED_MESSAGES["customer_name"])
        if len(name) > NAME_MAX:
            raise _fail("too_long", f"Please keep the name under {NAME_MAX} characters.")
        if not any(ch.isalpha() for ch in name):
            raise _fail("name", "A name needs at least one letter.")
        return name

    @field_validator("age", mode="before")
    @classmethod
    def _age(cls, value: Any) -> int:
        if isinstance(value, bool):
            raise _fail("age", "Age must be a whole number.")
        if isinstance(value, str):
            value = value.strip()
            if not value:
                raise _fail("missing", REQUIRED_MESSAGES["age"])
        try:
            number = float(value)
        except OverflowError:  # a whole number too big for a float (10**400)
            raise _fail("age", f"Age must be between {AGE_MIN} and {AGE_MAX}.") from None
        except (TypeError, ValueError):
            raise _fail("age", "Age must be a whole number, like 34.") from None
        if abs(number) == float("inf"):  # "1000…0" written out: a number, just far too big
            raise _fail("age", f"Age must be between {AGE_MIN} and {AGE_MAX}.")
        if not number.is_integer():
            raise _fail("age", "Age must be a whole number, like 34.")
        if not AGE_MIN <= number <= AGE_MAX:
            raise _fail("age", f"Age must be between {AGE_MIN} and {AGE_MAX}.")
        return int(number)

    @field_validator("gender", mode="before")
    @classmethod
    def _gender(cls, value: Any) -> Gender:
        text = _gender_words(_clean_text(value))
        if not text:
            raise _fail("missing", REQUIRED_MESSAGES["gender"])
        try:
            return Gender(_GENDER_SYNONYMS.get(text, text))
        except ValueError:
            options = ", ".join(g.value for g in Gender)
            raise _fail("gender", f"Choose one of: {options}.") from None

    @field_validator("inquiry_type", mode="before")
    @classmethod
    def _inquiry_type(cls, value: Any, info: ValidationInfo) -> str:
        text = _clean_text(value)
        if not text:
            raise _fail("missing", REQUIRED_MESSAGES["inquiry_type"])
        offered = (info.context or {}).get("inquiry_types")
        return text if offered is None else _offered_type_key(text, offered)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value: Any, info: ValidationInfo) -> str | None:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        text = _clean_text(_blank_to_none(value))
        if not text:
            return None
        try:
            return phone_e164(text, (info.context or {}).get("country"))
        except PhoneInvalid as error:
            raise _fail("phone", str(error)) from None

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, value: Any) -> str | None:
        text = _clean_text(_blank_to_none(value))
        if not text:
            return None
        if len(text) > EMAIL_MAX or not _EMAIL_RE.match(text):
            raise _fail("email", "Enter an e-mail address like name@example.com.")
        return email_normal(text)

    @field_validator("message", mode="before")
    @classmethod
    def _message(cls, value: Any) -> str:
        text = _clean_text(value)
        if len(text) > MESSAGE_MAX:
            raise _fail("too_long", f"Please keep the message under {MESSAGE_MAX} characters.")
        return text

    @field_validator("marketing_consent", mode="before")
    @classmethod
    def _consent(cls, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _fail("consent", "Marketing consent must be yes or no.")

    @field_validator("consent_text", mode="before")
    @classmethod
    def _consent_text(cls, value: Any) -> str | None:
        return _clean_text(value) or None

    @field_validator("location", mode="before")
    @classmethod
    def _location(cls, value: Any) -> str | None:
        text = _clean_text(value)
        if len(text) > LOCATION_MAX:
            raise _fail("too_long", f"Location names are at most {LOCATION_MAX} characters.")
        return text or None

    @_model_validator(mode="after")
    def _needs_contact(self) -> InquiryCreate:
        if not self.phone and not self.email:
            raise _fail("contact", CONTACT_MESSAGE)
        return self


def _gender_words(text: str) -> str:
    """'Other / self-described' -> 'other_self_described'; 'Non-binary' -> 'non_binary'."""
    return "_".join(re.findall(r"[^\W_]+", text.casefold()))


def _offered_type_key(text: str, offered: Mapping[str, str]) -> str:
    """The key of an offered inquiry type, given its key or its label in any case."""
    wanted = text.casefold()
    for key, label in offered.items():
        if wanted in (key.casefold(), label.casefold()):
            return key
    raise _fail("inquiry_type", "Choose one of: " + ", ".join(offered.values()) + ".")


_LOCATION_PREFIXES = {"body", "query", "path", "header"}


def field_errors(errors: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """One readable message per field, from pydantic's (or FastAPI's) error list."""
    result: dict[str, str] = {}
    for item in errors:
        loc = [str(part) for part in item.get("loc", ()) if part not in _LOCATION_PREFIXES]
        kind = item.get("type", "")
        # nested fields by their path, like "inquiries.0.captured_at"
        field = ".".join(loc) if loc else (CONTACT_FIELD if kind == CONTACT_FIELD else "request")
        if kind == "missing":
            message = REQUIRED_MESSAGES.get(field, "This field is required.")
        elif kind == "extra_forbidden":
            message = "Unknown field."
        elif kind == "json_invalid":
            field, message = "body", "The request body is not valid JSON."
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            field, message = "body", "Send the inquiry as a JSON object."
        else:
            message = str(item.get("msg", "Invalid value.")).removeprefix("Value error, ")
        result.setdefault(field, message)
    return result


def validate_inquiry(
    raw: Mapping[str, Any] | bytes,
    offered_types: Mapping[str, str],
    form: FormDefinition = NO_FORM,
    *,
    country: str | None = None,
) -> InquiryCreate:
    """Validate raw input (its fields, or a JSON body as the API receives it) against the
    rules, the shop's inquiry types and its own questions: the one check of every entry point.

    `country` is the shop's: phone numbers written without a country code are read as its.
    Every mistake is reported at once, with the same messages whatever the input's shape.
    """
    context = _context(offered_types, country)
    try:
        if isinstance(raw, bytes):
            inquiry = InquiryCreate.model_validate_json(raw, context=context)
        else:
            inquiry = InquiryCreate.model_validate(raw, context=context)
    except ValidationError as error:
        raise InquiryInvalid(_every_error(error, raw, form)) from None
    return _with_checked_answers(inquiry, form)


def _every_error(
    error: ValidationError, raw: Mapping[str, Any] | bytes, form: FormDefinition
) -> dict[str, str]:
    """The fields' errors, a missing contact (which pydantic only checks once the fields are
    valid) and the custom answers' errors."""
    errors = field_errors(error.errors())
    fields = _parsed(raw) if isinstance(raw, bytes) else raw
    if fields is None or "body" in errors:  # not a JSON object: nothing more to say
        return errors
    if not ({"phone", "email"} & errors.keys()) and _no_contact_given(fields):
        errors[CONTACT_FIELD] = CONTACT_MESSAGE
    return errors | _answer_errors(form, fields.get("answers"))


def _context(offered_types: Mapping[str, str], country: str | None) -> dict[str, Any]:
    return {"inquiry_types": offered_types, "country": country}


def _with_checked_answers(inquiry: InquiryCreate, form: FormDefinition) -> InquiryCreate:
    if not inquiry.answers and not form.has_questions:  # the common case costs nothing
        return inquiry
    answers, errors = check_answers(form, inquiry.answers)
    if errors:
        raise InquiryInvalid(errors)
    return inquiry.model_copy(update={"answers": answers})


def _answer_errors(form: FormDefinition, raw: Any) -> dict[str, str]:
    if raw is None and not form.has_questions:
        return {}
    return check_answers(form, raw)[1]


def _parsed(body: bytes) -> Mapping[str, Any] | None:
    """A JSON body's object (only on the error path: the valid path parses once, in pydantic)."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _no_contact_given(data: Mapping[str, Any]) -> bool:
    return not any(str(data.get(key) or "").strip() for key in ("phone", "email"))
