"""Dates and numbers at the edges of what Python and the databases hold are refused where
they enter (422 naming the field), on the list and both exports, never an overflow."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from barberbot.models import Shop, User
from tests.web.test_inbox_pages import sign_in

BAD = [
    ("received_to=9999-12-31", "received_to"),
    ("received_from=0001-01-01T00:00:00%2B14:00", "received_from"),
    ("received_to=9999-12-31T23:59:59-14:00", "received_to"),
    ("age_min=99999999999999999999", "age_min"),
    ("assignee=99999999999999999999", "assignee"),
]


@pytest.mark.parametrize("path", ["inquiries", "inquiries/export.csv", "inquiries/export.xlsx"])
@pytest.mark.parametrize(("query", "field"), BAD)
def test_out_of_range_filters_are_refused_by_name(
    client: TestClient, shop: Shop, owner_headers: dict[str, str], path: str, query: str, field: str
) -> None:
    answer = client.get(f"/api/v1/shops/{shop.slug}/{path}?{query}", headers=owner_headers)

    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == [field]


@pytest.mark.parametrize(("query", "field"), [("to=9999-12-31", "to"), ("from=0001-01-01", "from")])
def test_the_inbox_page_refuses_them_beside_the_field(
    client: TestClient, shop: Shop, owner: User, query: str, field: str
) -> None:
    sign_in(client, owner)
    page = client.get(f"/shops/{shop.slug}/inbox?{query}")

    assert page.status_code == 422
    assert f'id="f-{field}-error">Give a date from the year 1900 to 2999.</p>' in page.text
