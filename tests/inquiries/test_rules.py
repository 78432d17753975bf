"""The one rule set every entry point uses."""

from __future__ import annotations

from typing import Any

import pytest

from barberbot.inquiries.rules import InquiryInvalid, validate_inquiry
from barberbot.models import Gender
from tests.factories import inquiry_payload

OFFERED = {"haircut": "Haircut", "beard_trim": "Beard trim", "kids_cut": "Kids' cut"}


def _errors(**overrides: Any) -> dict[str, str]:
    with pytest.raises(InquiryInvalid) as caught:
        validate_inquiry(inquiry_payload(**overrides), OFFERED)
    return caught.value.errors


def test_form_strings_are_understood() -> None:
    parsed = validate_inquiry(
        inquiry_payload(
            customer_name="  Zoë   Núñez 💈 ",
            age=" 34 ",
            gender="Non-binary",
            inquiry_type="kids' CUT",
            phone="+44 (7700) 900-123",
            email="Zoe@Example.COM",
            marketing_consent="yes",
            location="",
        ),
        OFFERED,
    )

    assert parsed.customer_name == "Zoë Núñez 💈"
    assert parsed.age == 34
    assert parsed.gender is Gender.NON_BINARY
    assert parsed.inquiry_type == "kids_cut"
    assert parsed.phone == "+447700900123"
    assert parsed.email == "zoe@example.com"
    assert parsed.marketing_consent is True
    assert parsed.location is None


@pytest.mark.parametrize(
    ("written", "gender"),
    [
        ("other", Gender.OTHER), ("Other / self-described", Gender.OTHER),
        ("Self-described", Gender.OTHER), ("Diverse", Gender.OTHER), ("X", Gender.OTHER),
        ("non binary", Gender.NON_BINARY), ("Enby", Gender.NON_BINARY),
        ("Prefer not to say", Gender.PREFER_NOT_TO_SAY), ("Not stated", Gender.PREFER_NOT_TO_SAY),
        ("Woman", Gender.FEMALE), ("m", Gender.MALE),
    ],
)  # fmt: skip
def test_genders_as_other_systems_write_them(written: str, gender: Gender) -> None:
    assert validate_inquiry(inquiry_payload(gender=written), OFFERED).gender is gender
    assert Gender.OTHER.label == "Other / self-described"


def test_spreadsheet_ages_like_34_point_0_are_whole_numbers() -> None:
    assert validate_inquiry(inquiry_payload(age=34.0), OFFERED).age == 34


@pytest.mark.parametrize(
    ("age", "message"),
    [
        ("", "Please enter your age."),
        ("abc", "whole number"),
        (34.5, "whole number"),
        (True, "whole number"),
        (0, "between 1 and 120"),
        (121, "between 1 and 120"),
        (10**400, "between 1 and 120"),  # too big for a float: not an overflow
        ("1" + "0" * 400, "between 1 and 120"),
    ],
)
def test_bad_ages(age: object, message: str) -> None:
    assert message in _errors(age=age)["age"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("customer_name", "   ", "Please enter your name."),
        ("customer_name", "1234", "at least one letter"),
        ("customer_name", "x" * 121, "under 120"),
        ("gender", "robot", "Choose one of"),
        ("inquiry_type", "tattoo", "Choose one of: Haircut, Beard trim, Kids' cut."),
        ("phone", "12", "Enter the phone number with its country code, like +44 7700 900123."),
        ("phone", "call me maybe", "Enter a phone number like +44 7700 900123."),
        ("email", "no-at-sign", "like name@example.com"),
        ("email", "a@b", "like name@example.com"),
        ("message", "m" * 2001, "under 2000"),
        ("marketing_consent", "perhaps", "yes or no"),
        ("location", "l" * 65, "at most 64"),
    ],
)
def test_bad_fields_get_their_own_message(field: str, value: object, message: str) -> None:
    errors = _errors(**{field: value})

    assert list(errors) == [field]
    assert message in errors[field]


def test_contact_is_required_and_reported_with_other_errors() -> None:
    errors = _errors(phone="", email=None, age="old")

    assert set(errors) == {"age", "contact"}


def test_either_phone_or_email_is_enough() -> None:
    assert validate_inquiry(inquiry_payload(email=None), OFFERED).phone
    assert validate_inquiry(inquiry_payload(phone=None), OFFERED).email


def test_unknown_fields_are_refused() -> None:
    assert _errors(favourite_colour="blue") == {"favourite_colour": "Unknown field."}


def test_control_characters_are_removed() -> None:
    parsed = validate_inquiry(inquiry_payload(customer_name="Ann\x00a\x07 Lee"), OFFERED)

    assert parsed.customer_name == "Anna Lee"


GB_HINT = (
    "Enter a phone number like 07400 123456 (Britain (UK)) "
    "or with its country code, like +44 7400 123456."
)
NEEDS_CODE = "Enter the phone number with its country code, like +44 7700 900123."


@pytest.mark.parametrize(
    ("phone", "country", "stored"),
    [
        ("07700 900123", "GB", "+447700900123"),  # national, read in the shop's country
        ("+44 7700 900123", None, "+447700900123"),  # international stands on its own
        ("+44 7700 900123", "DE", "+447700900123"),
        ("0044 7700 900123", None, "+447700900123"),  # 00 is the international prefix
        ("0044 7700 900123", "US", "+447700900123"),
        ("+44 (0)7700 900-123", None, "+447700900123"),  # the trunk 0 in brackets dropped
        ("(07700) 900.123", "GB", "+447700900123"),
        ("07700-900-123", "GB", "+447700900123"),
        ("7700900123", "GB", "+447700900123"),  # a spreadsheet dropped the leading 0
        ("447700900123", "GB", "+447700900123"),  # the country code without its +
        ("030 1234567", "DE", "+49301234567"),
        ("(201) 555-0123", "US", "+12015550123"),
        ("+1 201 555 0123", "GB", "+12015550123"),
        ("+447700900123", "GB", "+447700900123"),  # stored values pass unchanged
    ],
)
def test_phone_numbers_are_stored_in_e164(phone: str, country: str | None, stored: str) -> None:
    parsed = validate_inquiry(inquiry_payload(phone=phone), OFFERED, country=country)

    assert parsed.phone == stored


@pytest.mark.parametrize(
    ("phone", "country", "message"),
    [
        ("07700 900123", None, NEEDS_CODE),  # national, and the shop has no country
        ("7700900123", None, NEEDS_CODE),
        ("0770 09", "GB", GB_HINT),  # too short
        ("+44 1234", None, "Enter a phone number like +44 7700 900123."),  # local only
        ("07700 900123 4567", "GB", GB_HINT),  # too long
        ("+999 1234 5678", "GB", GB_HINT),  # no such country code
        ("+1 555 0100", "GB", GB_HINT),  # too short for North America
        ("07700 9OO123", "GB", GB_HINT),  # letters
        ("+44 7700 900123 ext 5", "GB", GB_HINT),
        ("++44 7700 900123", "GB", GB_HINT),
        ("+", "GB", GB_HINT),
        ("(201) 555-012", "US", "Enter a phone number like (201) 555-0123 (United States) "
         "or with its country code, like +1 201-555-0123."),
    ],
)  # fmt: skip
def test_impossible_phone_numbers_are_refused(
    phone: str, country: str | None, message: str
) -> None:
    with pytest.raises(InquiryInvalid) as caught:
        validate_inquiry(inquiry_payload(phone=phone), OFFERED, country=country)

    assert caught.value.errors == {"phone": message}


@pytest.mark.parametrize(
    ("email", "stored"),
    [
        ("Zoe@Example.COM", "zoe@example.com"),
        ("  JOSE.ALVAREZ@EXAMPLE.ORG ", "jose.alvarez@example.org"),
        ("Straße@Example.DE", "strasse@example.de"),  # casefolded, as customers are matched
        ("already@lower.case", "already@lower.case"),
    ],
)
def test_email_addresses_are_stored_casefolded(email: str, stored: str) -> None:
    assert validate_inquiry(inquiry_payload(email=email), OFFERED).email == stored
