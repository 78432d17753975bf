"""Contacts as stored: phone numbers in E.164, e-mail addresses casefolded.

The capture rules use these for every way in, so a number or an address has one spelling
wherever it came from.
"""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from barberbot.core.countries import country_name

# digits, the usual separators, and one leading + (letters and extensions are refused)
_PHONE_ALLOWED_RE = re.compile(r"^\+?[\d\s().\-/]+$")
EXAMPLE = "+44 7700 900123"


class PhoneInvalid(ValueError):
    """Not a phone number we can store; the message says how to write one."""


def phone_e164(text: str, country: str | None) -> str:
    """'+447700900123' from '+44 7700 900123', '0044 7700 900123', or '07700 900123' in GB.

    A number without its country code needs the shop's `country`; without one it is refused.
    """
    text = text.strip()
    if not _PHONE_ALLOWED_RE.match(text):
        raise PhoneInvalid(phone_hint(country))
    if text.startswith("00"):  # the international prefix of most of the world
        text = "+" + text[2:]
    if not text.startswith("+") and country is None:
        raise PhoneInvalid(f"Enter the phone number with its country code, like {EXAMPLE}.")
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else country)
    except NumberParseException:
        raise PhoneInvalid(phone_hint(country)) from None
    # a length the country does not use is refused, and so is a number phonenumbers knows
    # to be local-only (no area code: not enough to call back); the rest is not checked
    # against the number plan, whose example ranges (07700 900xxx) it calls invalid
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise PhoneInvalid(phone_hint(country))
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


@cache
def phone_hint(country: str | None) -> str:
    """How to write a phone number: with its country code, or as usual in the shop's country."""
    example = _example_number(country)
    if country is None or example is None:
        return f"Enter a phone number like {EXAMPLE}."
    national = phonenumbers.format_number(example, PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(example, PhoneNumberFormat.INTERNATIONAL)
    return (
        f"Enter a phone number like {national} ({country_name(country)}) "
        f"or with its country code, like {international}."
    )


def _example_number(country: str | None) -> phonenumbers.PhoneNumber | None:
    if country is None:
        return None
    mobile = phonenumbers.example_number_for_type(country, PhoneNumberType.MOBILE)
    return mobile or phonenumbers.example_number(country)


def email_normal(text: str) -> str:
    """The whole address casefolded, the part before the @ too.

    RFC 5321 lets a server treat 'Ana@' and 'ana@' as two mailboxes, but no mail provider we
    know of does, customers are matched by the casefolded address anyway, and one spelling per
    address keeps exports, segments and duplicates honest. So the stored address is the key.
    """
    return text.strip().casefold()


def phone_display(phone: str, country: str | None) -> str:
    """A stored number as the shop writes it: '07700 900123' in its own country, with the
    country code ('+33 6 12 34 56 78') for another's; as stored if it cannot be read."""
    try:
        number = phonenumbers.parse(phone, None if phone.startswith("+") else country)
    except NumberParseException:
        return phone
    # the country's calling code, not the number's region: phonenumbers places no number of
    # the ranges kept for drama and tests (07700 900xxx), which are still dialled nationally
    own = (
        country is not None and phonenumbers.country_code_for_region(country) == number.country_code
    )
    style = PhoneNumberFormat.NATIONAL if own else PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def phone_href(phone: str, country: str | None) -> str:
    """The tel: link of a stored number: E.164, which any phone can dial from anywhere."""
    try:
        number = phonenumbers.parse(phone, None if phone.startswith("+") else country)
    except NumberParseException:
        return "tel:" + re.sub(r"[^\d+]", "", phone)
    return "tel:" + phonenumbers.format_number(number, PhoneNumberFormat.E164)
