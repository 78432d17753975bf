"""Only signed-in users see the dashboard, and only their own shops' numbers."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.dashboard.client import Callbacks, sign_in
from barberbot.models import Shop, User
from tests.factories import PASSWORD, make_inquiry, make_shop, make_user


def _sign_in(client: TestClient, email: str) -> None:
    sign_in(client, email, PASSWORD)


def _kpis(client: TestClient, search: str) -> dict[str, Any]:
    """Call the dashboard's refresh callback as the browser does; the KPI values by id."""
    result = Callbacks(client).call("kpis.children", {"url.search": search})
    cards = result["kpis"]["children"]
    values = {card["props"]["id"]: card["props"]["children"][1]["props"]["children"]
              for card in cards}  # fmt: skip
    return {
        "kpis": values,
        "empty": result["empty"]["children"],
        "locations": str(result["by-location"]["children"]),
    }


def test_signed_out_visitors_are_sent_to_the_login(client: TestClient) -> None:
    page = client.get("/dashboard/", follow_redirects=False)
    callback = client.post("/dashboard/_dash-update-component", json={})

    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/dashboard/"
    assert callback.status_code == 401
    assert client.get("/no-such-page").status_code == 404  # Dash does not take over the app


def test_an_owner_sees_only_their_shops(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    other = make_shop(session, slug="other", name="Other Cuts")
    for _ in range(3):
        make_inquiry(session, shop=shop)
    make_inquiry(session, shop=other)
    _sign_in(client, owner.email)

    mine = _kpis(client, "")
    theirs = _kpis(client, "?shop=other")

    assert mine["kpis"]["kpi-inquiries"] == "3"
    assert "King's Cuts" in mine["locations"]
    assert "high-street" in mine["locations"]
    assert "Other Cuts" not in mine["locations"]
    assert theirs["kpis"]["kpi-inquiries"] == "0"
    assert "not one of yours" in str(theirs["empty"])


def test_a_user_without_shops_is_told_what_to_do(client: TestClient, session: Session) -> None:
    make_user(session, email="new@example.com")
    _sign_in(client, "new@example.com")

    assert "not a member of any shop" in str(_kpis(client, "")["empty"])
