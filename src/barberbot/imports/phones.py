"""Phone numbers in an imported sheet that belong to another country than the shop's.

They are imported (each row's number is what the sheet says), but reported row by row, so an
owner learns which numbers were written with another country's code, and which, written
without one, are no number at home but would be one abroad: those were read as the shop's
country's and need their country code added in the sheet.
"""

from __future__ import annotations

from functools import cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from barberbot.core.countries import country_name

# Ranges set aside for films and tests, which phonenumbers calls invalid (Ofcom's for GB):
# national numbers starting so are the shop's country's, not a sign of a foreign number.
FICTIONAL = {"GB": ("7700900", "1632960", "2079460", "1134960", "1214960", "1614960")}
NAMED = 3  # countries named before "or N other countries"


def country_note(written: str, stored: str, country: str | None) -> str | None:
    """What the owner should know about a row's number, or None when it is the shop's
    country's: `written` as in the sheet, `stored` in E.164 as the rules made it."""
    if country is None:
        return None
    number = phonenumbers.parse(stored, None)
    if number.country_code != phonenumbers.country_code_for_region(country):
        return _foreign(written, number, country)
    if _has_country_code(written) or _home_number(number, country):
        return None
    elsewhere = _valid_in(phonenumbers.national_significant_number(number), written, country)
    if not elsewhere:
        return None
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    return (
        f"{written.strip()} has no country code and is not a phone number in "
        f"{country_name(country)}, but would be one in {_listed(elsewhere)}. It is imported "
        f"as {international}: if it is from abroad, add its country code in the file."
    )


def _foreign(written: str, number: phonenumbers.PhoneNumber, country: str) -> str:
    region = phonenumbers.region_code_for_number(number) or _main_region(number.country_code)
    where = country_name(region) if region else f"+{number.country_code}"
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    shown = written.strip()
    if not _has_country_code(written):  # a number cell that lost its +
        shown += f" ({international})"
    home = country_name(country)
    return f"{shown} is a number in another country ({where}); the shop is in {home}."


def _main_region(code: int | None) -> str | None:
    regions = phonenumbers.region_codes_for_country_code(code or 0)
    return regions[0] if regions else None


def _has_country_code(written: str) -> bool:
    text = written.strip()
    return text.startswith(("+", "00"))


def _home_number(number: phonenumbers.PhoneNumber, country: str) -> bool:
    if phonenumbers.is_valid_number_for_region(number, country):
        return True
    national = phonenumbers.national_significant_number(number)
    return national.startswith(FICTIONAL.get(country, ()))


@cache
def _valid_in(national: str, written: str, home: str) -> tuple[str, ...]:
    """The countries where the number, as written, is a valid one (cached: a sheet repeats
    numbers, and each look costs every country's number plan)."""
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS - {home}):
        try:
            number = phonenumbers.parse(written, region)
        except NumberParseException:
            continue
        if phonenumbers.is_valid_number_for_region(number, region):
            found.append(region)
    return tuple(found)


def _listed(regions: tuple[str, ...]) -> str:
    """'France', 'France or Germany', '29 other countries'."""
    names = sorted(country_name(region) for region in regions)
    if len(names) > NAMED:
        return f"{len(names)} other countries"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
