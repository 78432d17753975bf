from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Role, Shop
from tests.factories import make_inquiry, make_shop, make_token, make_user

BASE = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def _url(shop: Shop, suffix: str = "") -> str:
    return f"/api/v1/shops/{shop.slug}/inquiries{suffix}"


def test_listing_needs_a_token_or_a_session(client: TestClient, shop: Shop) -> None:
    response = client.get(_url(shop))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_invalid_token_is_401(client: TestClient, shop: Shop) -> None:
    response = client.get(_url(shop), headers={"Authorization": "Bearer bbt_nope"})

    assert response.status_code == 401
    assert "not valid" in response.json()["detail"]


def test_list_is_newest_first(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    old = make_inquiry(session, shop=shop, received_at=BASE, customer_name="Old Timer")
    new = make_inquiry(session, shop=shop, received_at=BASE + timedelta(hours=1))

    items = client.get(_url(shop), headers=owner_headers).json()["items"]

    assert [i["id"] for i in items] == [str(new.id), str(old.id)]


def test_cursor_pagination_walks_every_row_once(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    # Several rows share a timestamp, so the cursor must break ties by id.
    made = {
        str(make_inquiry(session, shop=shop, received_at=BASE + timedelta(minutes=i // 3)).id)
        for i in range(11)
    }
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 4} | ({"cursor": cursor} if cursor else {})
        page = client.get(_url(shop), params=params, headers=owner_headers).json()
        seen += [i["id"] for i in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert len(seen) == len(set(seen)) == 11
    assert set(seen) == made


def test_a_broken_cursor_is_422(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    response = client.get(_url(shop), params={"cursor": "garbage!"}, headers=owner_headers)

    assert response.status_code == 422
    assert "cursor" in response.json()["errors"]


@pytest.mark.parametrize(
    ("params", "expected_names"),
    [
        ({"inquiry_type": "shave"}, {"Shave Guy"}),
        ({"gender": "female"}, {"Young Woman"}),
        ({"age_min": 30, "age_max": 40}, {"Shave Guy"}),
        ({"received_from": "2026-10-02"}, {"Young Woman"}),
        ({"received_to": "2026-10-01"}, {"Shave Guy"}),
        ({"received_from": "2026-10-01T13:00:00Z", "received_to": "2026-10-03"}, {"Young Woman"}),
    ],
)
def test_filters(
    client: TestClient,
    session: Session,
    shop: Shop,
    owner_headers: dict[str, str],
    params: dict[str, str | int],
    expected_names: set[str],
) -> None:
    make_inquiry(
        session,
        shop=shop,
        received_at=BASE,
        customer_name="Shave Guy",
        inquiry_type="shave",
        age=35,
    )
    make_inquiry(
        session,
        shop=shop,
        received_at=BASE + timedelta(days=1),
        customer_name="Young Woman",
        gender="female",
        age=22,
    )

    items = client.get(_url(shop), params=params, headers=owner_headers).json()["items"]

    assert {i["customer_name"] for i in items} == expected_names


def test_contradictory_age_filter_is_422(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    response = client.get(_url(shop), params={"age_min": 50, "age_max": 20}, headers=owner_headers)

    assert response.status_code == 422
    assert "age_min" in next(iter(response.json()["errors"].values()))


def test_get_one(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    inquiry = make_inquiry(session, shop=shop)

    response = client.get(_url(shop, f"/{inquiry.id}"), headers=owner_headers)

    assert response.status_code == 200
    assert response.json()["email"] == "jamal@example.com"


def test_get_unknown_id_is_404(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    response = client.get(_url(shop, f"/{uuid.uuid4()}"), headers=owner_headers)

    assert response.status_code == 404


def test_a_user_of_shop_a_sees_nothing_of_shop_b(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    other = make_shop(session, slug="rival", name="Rival Barbers")
    secret = make_inquiry(session, shop=other, customer_name="Rival Customer")

    listing = client.get(_url(other), headers=owner_headers)
    single = client.get(_url(other, f"/{secret.id}"), headers=owner_headers)
    via_own_shop = client.get(_url(shop, f"/{secret.id}"), headers=owner_headers)
    export = client.get(_url(other, "/export.csv"), headers=owner_headers)
    delete = client.delete(_url(other, f"/{secret.id}"), headers=owner_headers)
    own_listing = client.get(_url(shop), headers=owner_headers).json()["items"]

    assert [r.status_code for r in (listing, single, via_own_shop, export, delete)] == [404] * 5
    assert listing.json() == {"detail": "Unknown shop 'rival'."}  # same as a shop that isn't
    assert own_listing == []
    session.expire_all()
    assert session.get(Inquiry, secret.id) is not None


def test_delete_forgets_the_inquiry_and_its_idempotency_record(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    created = client.post(
        _url(shop),
        json={
            "customer_name": "Forget Me",
            "age": 40,
            "gender": "male",
            "inquiry_type": "haircut",
            "email": "forget@example.com",
        },
        headers={"Idempotency-Key": "forget-1"},
    ).json()

    response = client.delete(_url(shop, f"/{created['id']}"), headers=owner_headers)

    assert response.status_code == 204
    assert client.get(_url(shop, f"/{created['id']}"), headers=owner_headers).status_code == 404
    session.expire_all()
    assert session.get(Inquiry, uuid.UUID(created["id"])) is None
    assert client.delete(_url(shop, f"/{created['id']}"), headers=owner_headers).status_code == 404


def test_staff_may_read_but_not_delete(client: TestClient, session: Session, shop: Shop) -> None:
    staff = make_user(session, email="staff@kings.example", shops=[shop], role=Role.STAFF)
    headers = {"Authorization": f"Bearer {make_token(session, staff)}"}
    inquiry = make_inquiry(session, shop=shop)

    assert client.get(_url(shop), headers=headers).status_code == 200
    response = client.delete(_url(shop, f"/{inquiry.id}"), headers=headers)

    assert response.status_code == 403
    assert "owners" in response.json()["detail"]
    session.expire_all()
    assert session.get(Inquiry, inquiry.id) is not None
