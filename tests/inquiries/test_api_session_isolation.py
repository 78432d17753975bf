"""Tenant isolation for a user signed in through the login form (a session cookie, no token)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop, User
from tests.factories import PASSWORD, make_inquiry, make_shop


def _url(shop: Shop, suffix: str = "") -> str:
    return f"/api/v1/shops/{shop.slug}/inquiries{suffix}"


def _sign_in(client: TestClient, user: User) -> None:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text)
    assert match, "no CSRF field on the login page"
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf": match.group(1)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "barberbot_session" in client.cookies


def test_a_signed_in_user_of_shop_a_gets_404_for_everything_of_shop_b(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    other = make_shop(session, slug="rival", name="Rival Barbers")
    secret = make_inquiry(session, shop=other, customer_name="Rival Customer")
    mine = make_inquiry(session, shop=shop, customer_name="Own Customer")
    _sign_in(client, owner)
    assert "authorization" not in client.headers

    answers = {
        "list": client.get(_url(other)),
        "one": client.get(_url(other, f"/{secret.id}")),
        "one via own shop": client.get(_url(shop, f"/{secret.id}")),
        "delete": client.delete(_url(other, f"/{secret.id}")),
        "delete via own shop": client.delete(_url(shop, f"/{secret.id}")),
        "csv": client.get(_url(other, "/export.csv")),
        "xlsx": client.get(_url(other, "/export.xlsx")),
    }
    own_list = client.get(_url(shop))
    own_csv = client.get(_url(shop, "/export.csv"))

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert answers["list"].json() == {"detail": "Unknown shop 'rival'."}  # as if none existed
    assert "Rival Customer" not in "".join(r.text for r in answers.values())
    # The session does sign the user in: their own shop answers.
    assert own_list.status_code == own_csv.status_code == 200
    assert [i["id"] for i in own_list.json()["items"]] == [str(mine.id)]
    assert "Own Customer" in own_csv.text
    assert "Rival Customer" not in own_csv.text
    session.expire_all()
    assert session.get(Inquiry, secret.id) is not None  # the refused delete kept the row


def test_signing_out_ends_api_access(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    _sign_in(client, owner)
    assert client.get(_url(shop)).status_code == 200
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(f"/shops/{shop.slug}").text)
    assert match

    client.post("/logout", data={"csrf": match.group(1)})

    assert client.get(_url(shop)).status_code == 401
