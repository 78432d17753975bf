"""Cleaning: spellings onto canonical values, E.164 phones, one id per customer."""

from __future__ import annotations

import pandas as pd

from barberbot.analytics.cleaning import clean, to_e164
from barberbot.core.choices import DEFAULT_INQUIRY_TYPES
from barberbot.core.countries import country_for_timezone

TYPES = dict(DEFAULT_INQUIRY_TYPES)


def test_phone_numbers_become_e164_in_the_shops_country() -> None:
    assert country_for_timezone("Europe/London") == "GB"
    assert to_e164("07700 900123", "GB") == "+447700900123"
    assert to_e164("+33 6 12 34 56 78", "GB") == "+33612345678"
    assert to_e164(7700900123.0, "GB") == "+447700900123"
    assert to_e164("call me", "GB") is None
    assert to_e164("123", "GB") is None


def test_a_messy_import_is_cleaned_and_customers_are_recognised() -> None:
    frame = pd.DataFrame(
        {
            "customer_name": ["  ana   LIMA ", "ANA LIMA", "bo chen", "Cai", "Dee"],
            "age": [31, "31", 250, "eight", 70],
            "gender": ["F", "female", "Man", "robot", "Non-Binary"],
            "inquiry_type": ["haircut", "Beard Trim", "kids cut", "tattoo", "HAIR COLOURING"],
            "email": ["Ana@X.io ", None, "bo@x.io", None, "ana@x.io"],
            "phone": [None, "07700 900123", "07700 900123", "020 7946 0000", None],
        }
    )

    cleaned = clean(frame, region="GB", types=TYPES)

    assert cleaned["customer_name"].tolist() == ["Ana Lima", "Ana Lima", "Bo Chen", "Cai", "Dee"]
    assert _values(cleaned["gender"]) == ["female", "female", "male", None, "non_binary"]
    assert _values(cleaned["inquiry_type"]) == [
        "haircut", "beard_trim", "kids_cut", None, "hair_colouring",
    ]  # fmt: skip
    assert cleaned["age_ok"].tolist() == [True, True, False, False, True]
    assert cleaned["age"].tolist()[:2] == [31, 31]
    assert cleaned["phone"].tolist()[1] == "+447700900123"
    # Ana's e-mail links rows 1 and 5; the phone links row 2 (Ana's) with row 3 (Bo's number)
    assert cleaned["customer_id"].tolist() == [1, 2, 2, 3, 1]


def _values(column: pd.Series) -> list[object]:
    """The column's values, missing ones as None (pandas may hold them as NaN)."""
    return [None if pd.isna(value) else value for value in column]
