"""Header matching: spreadsheets name their columns in many ways."""

from __future__ import annotations

import pytest

from barberbot.imports.columns import ColumnsInvalid, map_columns, normalise_header


@pytest.mark.parametrize(
    ("header", "normalised"),
    [("E-Mail Address ", "e mail address"), ("e_mail", "e mail"), ("AGE (years):", "age")],
)
def test_headers_are_compared_without_case_or_punctuation(header: str, normalised: str) -> None:
    assert normalise_header(header) == normalised


def test_columns_in_any_order_and_case_are_found() -> None:
    columns = map_columns(["PHONE", "Customer Name", "sex", "Service", "Age", "Loyalty card"])

    assert columns.fields == {
        "phone": 0, "customer_name": 1, "gender": 2, "inquiry_type": 3, "age": 4,
    }  # fmt: skip
    assert columns.ignored == ["Loyalty card"]
    assert columns.missing() == []


def test_missing_required_columns_are_named() -> None:
    assert map_columns(["Name", "Notes"]).missing() == ["age", "gender", "inquiry_type", "phone"]


def test_two_columns_for_one_field_is_an_error() -> None:
    with pytest.raises(ColumnsInvalid, match="Two columns mean E-mail: 'Email' and 'E-mail'"):
        map_columns(["Name", "Email", "E-mail"])
