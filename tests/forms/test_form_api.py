"""GET/PUT /api/v1/shops/{shop}/form: versions, retiring, owners only."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.models import Role, Shop
from tests.factories import form_fields, make_shop, make_token, make_user


def _url(shop: Shop) -> str:
    return f"/api/v1/shops/{shop.slug}/form"


def _put(
    client: TestClient, shop: Shop, headers: dict[str, str], fields: list[dict[str, Any]]
) -> Any:
    return client.put(_url(shop), json={"fields": fields}, headers=headers)


def test_a_shop_starts_without_a_form(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    response = client.get(_url(shop), headers=owner_headers)

    assert response.status_code == 200
    assert response.json() == {"version": 0, "created_at": None, "fields": []}


def test_every_edit_is_a_new_version_and_an_unchanged_form_is_not(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    first = _put(client, shop, owner_headers, form_fields())
    again = _put(client, shop, owner_headers, form_fields())
    relabelled = _put(
        client, shop, owner_headers, form_fields(barber={"label": "Your favourite barber"})
    )

    assert (first.status_code, first.json()["version"]) == (200, 1)
    assert again.json()["version"] == 1
    assert relabelled.json()["version"] == 2
    read = client.get(_url(shop), headers=owner_headers).json()
    assert read["version"] == 2
    assert [f["key"] for f in read["fields"]] == [f["key"] for f in form_fields()]
    assert read["fields"][0]["label"] == "Your favourite barber"
    assert read["fields"][3]["options"] == ["Straight", "Wavy", "Curly"]


def test_a_question_left_out_is_retired_not_forgotten(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    _put(client, shop, owner_headers, form_fields())
    without_barber = form_fields()[1:]

    read = _put(client, shop, owner_headers, without_barber).json()

    assert read["version"] == 2
    barber = read["fields"][-1]
    assert (barber["key"], barber["retired"]) == ("barber", True)
    assert all(not f["retired"] for f in read["fields"][:-1])


def test_a_key_keeps_its_type(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    _put(client, shop, owner_headers, form_fields())

    response = _put(
        client,
        shop,
        owner_headers,
        form_fields(visits={"type": "short_text", "min": None, "max": None}),
    )

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert list(errors) == ["fields.2.type"]
    assert "retire it" in errors["fields.2.type"]
    assert client.get(_url(shop), headers=owner_headers).json()["version"] == 1


def test_bad_definitions_get_field_level_errors(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    fields: list[dict[str, Any]] = [
        {"key": "Bad Key", "label": "x", "type": "short_text"},
        {"key": "choice", "label": "Pick", "type": "single_choice", "options": []},
        {"key": "n", "label": "N", "type": "number", "min": 5, "max": 1},
        {"key": "n", "label": "Again", "type": "date"},
    ]

    response = _put(client, shop, owner_headers, fields)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "fields.0.key" in errors
    assert errors["fields.1"] == "A choice question needs at least one option."
    assert errors["fields.2"] == "The minimum must not be larger than the maximum."


def test_staff_may_read_but_only_owners_may_edit(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    staff = make_user(session, email="staff@kings.example", shops=[shop], role=Role.STAFF)
    staff_headers = {"Authorization": f"Bearer {make_token(session, staff)}"}
    _put(client, shop, owner_headers, form_fields())

    assert client.get(_url(shop), headers=staff_headers).json()["version"] == 1
    assert _put(client, shop, staff_headers, form_fields()[:1]).status_code == 403


def test_another_shops_form_is_404(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    other = make_shop(session, slug="other-shop", name="Other")

    assert client.get(_url(other), headers=owner_headers).status_code == 404
    assert _put(client, other, owner_headers, form_fields()).status_code == 404
    assert client.get(_url(shop)).status_code == 401
