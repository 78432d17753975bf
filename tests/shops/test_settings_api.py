"""The settings API: owners read and change a shop's settings and inquiry types (each change a
version, seen by the next capture and the desktop's shop info at once); bad input answers 422
with a message per field and changes nothing; staff get 403, another shop 404."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.models import Role, Shop, User
from tests.factories import inquiry_payload, make_shop, make_token, make_user

URL = "/api/v1/shops/kings-cuts"


def test_an_owner_changes_settings_and_types_and_the_next_requests_see_them(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    changed = client.put(
        f"{URL}/settings",
        json={"name": "King's Cuts & Co", "brand_colour": "#1F6FEB", "retention_months": 24},
        headers=owner_headers,
    )
    added = client.post(
        f"{URL}/inquiry-types", json={"label": "Beard Trim Inquiry"}, headers=owner_headers
    )
    renamed = client.patch(
        f"{URL}/inquiry-types/shave",
        json={"label": "Hot towel shave", "retired": True},
        headers=owner_headers,
    )
    keys = [t["key"] for t in renamed.json()["inquiry_types"]]
    ordered = client.put(
        f"{URL}/inquiry-types/order", json={"keys": keys[::-1]}, headers=owner_headers
    )
    info = client.get(URL, headers=owner_headers).json()
    retired_capture = client.post(
        f"{URL}/inquiries", json=inquiry_payload(inquiry_type="shave"), headers=owner_headers
    )
    new_capture = client.post(
        f"{URL}/inquiries",
        json=inquiry_payload(inquiry_type="beard_trim_inquiry"),
        headers=owner_headers,
    )
    versions = client.get(f"{URL}/settings/versions", headers=owner_headers).json()

    assert changed.status_code == 200, changed.text
    assert changed.json()["brand_colour"] == "#1f6feb"
    assert (changed.json()["timezone"], changed.json()["version"]) == ("UTC", 1)
    assert added.status_code == 201
    assert added.json()["inquiry_types"][-1] == {
        "key": "beard_trim_inquiry",
        "label": "Beard Trim Inquiry",
        "retired": False,
    }
    shave = next(t for t in renamed.json()["inquiry_types"] if t["key"] == "shave")
    assert shave == {"key": "shave", "label": "Hot towel shave", "retired": True}
    assert ordered.json()["inquiry_types"][0]["key"] == "beard_trim_inquiry"
    assert info["name"] == "King's Cuts & Co"
    assert "shave" not in [t["key"] for t in info["inquiry_types"]]  # the desktop: offered only
    assert info["inquiry_types"][0] == {"key": "beard_trim_inquiry", "label": "Beard Trim Inquiry"}
    assert retired_capture.status_code == 422
    assert "inquiry_type" in retired_capture.json()["errors"]
    assert new_capture.status_code == 201, new_capture.text
    assert [v["version"] for v in versions] == [4, 3, 2, 1]
    assert versions[0]["created_by"] == "owner@kings.example"
    assert versions[3]["changed"] == ["name", "brand_colour", "retention_months"]


BAD_SETTINGS: list[tuple[dict[str, Any], str, str]] = [
    ({"brand_colour": "red;}"}, "brand_colour", "six hex digits"),
    ({"name": ""}, "name", "Give the shop a name."),
    ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone"),
    ({"country": "ZZ"}, "country", "Choose a country"),
    ({"retention_months": 0}, "retention_months", "from 1 to 120"),
    ({"retention_months": "lots"}, "retention_months", "valid integer"),
    ({"logo": "x"}, "logo", "Unknown field."),
]
BAD_TYPES: list[tuple[str, str, dict[str, Any], str]] = [
    ("post", "inquiry-types", {"label": "haircut"}, "label"),
    ("post", "inquiry-types", {}, "label"),
    ("patch", "inquiry-types/nope", {"label": "X"}, "inquiry_type"),
    ("patch", "inquiry-types/haircut", {"label": "Shave", "retired": True}, "label"),
    ("put", "inquiry-types/order", {"keys": ["haircut"]}, "order"),
]


def test_bad_input_answers_422_per_field_and_changes_nothing(
    client: TestClient, owner_headers: dict[str, str]
) -> None:
    before = client.get(f"{URL}/settings", headers=owner_headers).json()
    answers = [
        client.put(
            f"{URL}/settings", json={"thanks_text": "Changed", **body}, headers=owner_headers
        )
        for body, _, _ in BAD_SETTINGS
    ] + [
        client.request(method, f"{URL}/{path}", json=body, headers=owner_headers)
        for method, path, body, _ in BAD_TYPES
    ]
    after = client.get(f"{URL}/settings", headers=owner_headers).json()

    fields = [field for _, field, _ in BAD_SETTINGS] + [field for *_, field in BAD_TYPES]
    for answer, field in zip(answers, fields, strict=True):
        assert answer.status_code == 422, answer.text
        assert field in answer.json()["errors"], answer.text
    for answer, (_, field, message) in zip(answers, BAD_SETTINGS, strict=False):
        assert message in answer.json()["errors"][field]
    assert after == before


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "settings"), ("put", "settings"), ("post", "inquiry-types")],
)
def test_staff_get_403_and_another_shops_owner_404(
    client: TestClient, session: Session, shop: Shop, owner: User, method: str, path: str
) -> None:
    staff = make_user(session, email="sam@kings.example", shops=[shop], role=Role.STAFF)
    other = make_user(session, email="o@other.example", shops=[make_shop(session, slug="o")])
    body = {"label": "New"} if path == "inquiry-types" else {"name": "New"}

    def answer(user: User) -> int:
        headers = {"Authorization": f"Bearer {make_token(session, user)}"}
        return client.request(method, f"{URL}/{path}", json=body, headers=headers).status_code

    assert (answer(staff), answer(other)) == (403, 404)
