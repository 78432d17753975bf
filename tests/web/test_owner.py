"""Owner pages through the test client: sign-in, CSRF, the shop page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.models import Shop, User
from tests.factories import PASSWORD, make_inquiry, make_shop


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def _sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    token = _csrf(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_pages_redirect_to_login_when_signed_out(client: TestClient, shop: Shop) -> None:
    expected = {"/": "/login", f"/shops/{shop.slug}": "/login?next=%2Fshops%2Fkings-cuts"}
    for path, login in expected.items():
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == login


def test_wrong_password_is_refused(client: TestClient, owner: User) -> None:
    token = _csrf(client.get("/login").text)

    response = client.post(
        "/login", data={"email": owner.email, "password": "wrong-password", "csrf": token}
    )

    assert response.status_code == 401
    assert "Wrong e-mail or password." in response.text


def test_login_without_the_csrf_token_is_403(client: TestClient, owner: User) -> None:
    client.get("/login")

    response = client.post("/login", data={"email": owner.email, "password": PASSWORD})

    assert response.status_code == 403


def test_owner_sees_latest_inquiries_snippet_and_exports(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    make_inquiry(session, shop=shop, customer_name="Zoë Visible")
    _sign_in(client, owner.email)

    page = client.get("/", follow_redirects=True)

    assert page.url.path == f"/shops/{shop.slug}"
    assert "Zoë Visible" in page.text
    assert "&lt;iframe data-barberbot" in page.text
    assert f"/s/{shop.slug}/inquire?embed=1" in page.text
    assert "/static/embed.js" in page.text
    assert f"/api/v1/shops/{shop.slug}/inquiries/export.xlsx" in page.text
    assert page.headers["x-frame-options"] == "DENY"
    export = client.get(f"/api/v1/shops/{shop.slug}/inquiries/export.csv")
    assert export.status_code == 200  # the session cookie works for the API too
    assert "Zoë Visible" in export.content.decode("utf-8-sig")


def test_another_shops_page_is_404(client: TestClient, session: Session, owner: User) -> None:
    make_shop(session, slug="rival", name="Rival")
    _sign_in(client, owner.email)

    response = client.get("/shops/rival")

    assert response.status_code == 404


def test_sign_out_ends_the_session(client: TestClient, shop: Shop, owner: User) -> None:
    _sign_in(client, owner.email)
    token = _csrf(client.get(f"/shops/{shop.slug}").text)

    client.post("/logout", data={"csrf": token})

    assert client.get(f"/shops/{shop.slug}", follow_redirects=False).status_code == 303
    assert client.get(f"/api/v1/shops/{shop.slug}/inquiries").status_code == 401
