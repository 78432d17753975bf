"""The dashboard's filters round-trip through the URL, and bad values are dropped."""

from __future__ import annotations

from barberbot.dashboard.callbacks import sort_rows
from barberbot.dashboard.state import (
    ViewState,
    from_query,
    hash_for_sort,
    sort_from_hash,
    to_query,
)


def test_a_view_survives_the_round_trip_through_its_url() -> None:
    state = ViewState(
        shop="kings-cuts",
        period="custom",
        start="2026-11-01",
        end="2026-11-07",
        genders=["male", "female"],
        age_bands=["25-34"],
        inquiry_types=["beard_trim"],
        locations=["high-street"],
    )

    query = to_query(state)

    assert query == (
        "?shop=kings-cuts&period=custom&start=2026-11-01&end=2026-11-07&gender=male,female"
        "&age=25-34&type=beard_trim&location=high-street"
    )
    assert from_query(query) == state


def test_the_default_view_has_an_empty_query() -> None:
    assert to_query(ViewState()) == ""
    assert from_query("") == ViewState()


def test_values_that_are_not_valid_are_dropped() -> None:
    state = from_query("?period=forever&gender=male,robot&age=25-34,ancient&start=x")

    assert state.period == "30d"
    assert state.genders == ["male"]
    assert state.age_bands == ["25-34"]
    assert from_query("?period=custom&start=2026-11-01").period == "30d"  # no end: a preset


def test_latest_rows_sort_by_any_column() -> None:
    rows = [{"name": "Bo", "age": 45}, {"name": "Ana", "age": 31}, {"name": "Cai", "age": 8}]

    assert [r["name"] for r in sort_rows(rows, "name:asc")] == ["Ana", "Bo", "Cai"]
    assert [r["age"] for r in sort_rows(rows, "age:desc")] == [45, 31, 8]
    assert sort_rows(rows, "evil:asc") == rows


def test_the_tables_order_lives_in_the_url_fragment() -> None:
    assert hash_for_sort("age:desc") == "#sort=age:desc"
    assert sort_from_hash("#sort=age:desc") == "age:desc"
    assert hash_for_sort("received:desc") == ""  # the default needs no fragment
    assert sort_from_hash("") == sort_from_hash("#sort=evil") == "received:desc"


def test_choice_filters_round_trip_each_option_a_parameter() -> None:
    state = ViewState(shop="kings-cuts", answers={"hair_type": ["Curly", "Wavy, long"]})

    query = to_query(state)

    assert query == "?shop=kings-cuts&a.hair_type=Curly&a.hair_type=Wavy,+long"
    assert from_query(query) == state
    assert from_query("?a.Bad-Key=x&a.hair_type=&a.ok=y").answers == {"ok": ["y"]}
