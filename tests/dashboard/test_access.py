"""Only signed-in users see the dashboard, and only their own shops' numbers."""

from __future__ import annotations

import logging
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.models import Shop, User
from tests.factories import PASSWORD, make_inquiry, make_shop, make_user
from tests.support.dashboard import Callbacks, sign_in


def _sign_in(client: TestClient, email: str) -> None:
    sign_in(client, email, PASSWORD)


def _kpis(client: TestClient, search: str) -> dict[str, Any]:
    """Call the dashboard's refresh callback as the browser does; the KPI values by id."""
    callbacks = Callbacks(client)
    result = callbacks.call("kpi-inquiries-value.children", {"url.search": search})
    people = callbacks.call("kpi-unique-value.children", {"url.search": search})
    values = {key: value["children"] for key, value in (result | people).items()
              if key.startswith("kpi-")}  # fmt: skip
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

    assert mine["kpis"]["kpi-inquiries-value"] == "3"
    assert mine["kpis"]["kpi-unique-value"] == "1"  # the factory's one e-mail and phone
    assert "King's Cuts" in mine["locations"]
    assert "high-street" in mine["locations"]
    assert "Other Cuts" not in mine["locations"]
    assert theirs["kpis"]["kpi-inquiries-value"] == "0"
    assert theirs["kpis"]["kpi-unique-value"] == "0"
    assert "not one of yours" in str(theirs["empty"])


def test_a_user_without_shops_is_told_what_to_do(client: TestClient, session: Session) -> None:
    make_user(session, email="new@example.com")
    _sign_in(client, "new@example.com")

    assert "not a member of any shop" in str(_kpis(client, "")["empty"])


def test_a_live_tick_recounts_only_when_an_inquiry_arrived(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    make_inquiry(session, shop=shop)
    _sign_in(client, owner.email)
    callbacks = Callbacks(client)
    first = callbacks.call("kpi-inquiries-value.children", {"url.search": ""})
    seen = first["seen-figures"]["data"]

    def tick(n: int) -> Any:
        values = {"live.n_intervals": n, "url.search": "", "seen-figures.data": seen}
        return callbacks.post("kpi-inquiries-value.children", values)

    quiet = tick(1)
    make_inquiry(session, shop=shop)
    news = tick(2)

    assert quiet.status_code == 204  # nothing new: the page keeps its figures
    assert news.status_code == 200
    assert news.json()["response"]["kpi-inquiries-value"]["children"] == "2"
    seen = news.json()["response"]["seen-figures"]["data"]
    assert tick(13).status_code == 204
    assert tick(12).status_code == 200  # once a minute everything is recounted anyway


def test_a_live_tick_after_a_change_of_filters_recounts(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    """The browser drops a request its next one replaces: a tick sent while the figures of
    new filters are on their way must bring those, not leave the old ones."""
    make_inquiry(session, shop=shop, age=30)
    make_inquiry(session, shop=shop, age=60)
    _sign_in(client, owner.email)
    callbacks = Callbacks(client)
    seen = callbacks.call("kpi-inquiries-value.children", {"url.search": ""})["seen-figures"]
    values = {"live.n_intervals": 1, "url.search": "?age=25-34", "seen-figures.data": seen["data"]}
    tick = callbacks.post("kpi-inquiries-value.children", values)

    assert tick.status_code == 200
    assert tick.json()["response"]["kpi-inquiries-value"]["children"] == "1"


def test_the_access_log_says_204_for_a_callback_that_left_the_page_as_it_was(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    make_inquiry(session, shop=shop)
    _sign_in(client, owner.email)
    callbacks = Callbacks(client)
    seen = callbacks.call("kpi-inquiries-value.children", {"url.search": ""})["seen-figures"]
    values = {"live.n_intervals": 1, "url.search": "", "seen-figures.data": seen["data"]}
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign,assignment]
    logger = logging.getLogger("barberbot.http")  # its own handler: whatever the root's setup
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        quiet = callbacks.post("kpi-inquiries-value.children", values)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)

    logged = [r for r in records if getattr(r, "path", "").endswith("_dash-update-component")]
    assert quiet.status_code == 204
    assert [getattr(r, "status", None) for r in logged] == [204]


def test_a_custom_period_from_year_1_to_9999_is_read_as_no_period_not_an_overflow(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    make_inquiry(session, shop=shop)
    _sign_in(client, owner.email)
    search = "?period=custom&start=0001-01-01&end=9999-12-31"
    figures = Callbacks(client).post("kpi-inquiries-value.children", {"url.search": search})
    export = client.get("/dashboard/export.csv" + search)

    assert figures.status_code == 200
    assert figures.json()["response"]["kpi-inquiries-value"]["children"] == "1"  # the last 30 days
    assert export.status_code == 200
    assert len(export.text.strip().splitlines()) == 2  # the header and the one inquiry
