"""Age bands, as the dashboard, the report and campaign segments name them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_

# (label, lowest age, highest age) — inclusive
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under 18", 0, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55-64", 55, 64),
    ("65+", 65, 200),
)
BAND_LABELS = tuple(label for label, _, _ in AGE_BANDS)


def band_of(age: int) -> str:
    for label, low, high in AGE_BANDS:
        if low <= age <= high:
            return label
    raise ValueError(f"no age band for {age}")


def band_expression(age: Any) -> ColumnElement[str]:
    """SQL CASE giving the band label of an age column."""
    return case(*((age <= high, label) for label, _, high in AGE_BANDS[:-1]), else_="65+")


def bands_condition(age: Any, labels: list[str]) -> ColumnElement[bool]:
    """SQL: the age falls in one of the given bands."""
    ranges = [(low, high) for label, low, high in AGE_BANDS if label in labels]
    return or_(*(and_(age >= low, age <= high) for low, high in ranges))
