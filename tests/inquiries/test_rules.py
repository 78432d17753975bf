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
    assert parsed.email == "Zoe@example.com"
    assert parsed.marketing_consent is True
    assert parsed.location is None


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
        ("phone", "12", "7 to 15 digits"),
        ("phone", "call me maybe", "7 to 15 digits"),
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
