"""Every answer says nosniff and same-origin referrers; personal data is never cached; the
dashboard cannot be framed; static files keep their caching; the public form stays
frameable (shops embed it)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from barberbot.models import Shop, User
from tests.web.test_inbox_pages import sign_in


def test_personal_data_is_never_cached_and_the_dashboard_never_framed(
    client: TestClient, shop: Shop, owner: User, owner_headers: dict[str, str]
) -> None:
    api = client.get(f"/api/v1/shops/{shop.slug}/inquiries", headers=owner_headers)
    export = client.get(f"/api/v1/shops/{shop.slug}/inquiries/export.csv", headers=owner_headers)
    capture = client.post(f"/api/v1/shops/{shop.slug}/inquiries", json={})
    sign_in(client, owner)
    page = client.get(f"/shops/{shop.slug}/inbox")
    dashboard = client.get("/dashboard/")
    form = client.get(f"/s/{shop.slug}/inquire")
    static = client.get("/static/style.css")

    for answer in (api, export, capture, page, dashboard, form, static):
        assert answer.headers["x-content-type-options"] == "nosniff", answer.url
        assert answer.headers["referrer-policy"] == "same-origin", answer.url
    for answer in (api, export, capture, page, dashboard):
        assert answer.headers["cache-control"] == "no-store", answer.url
    assert "no-store" not in static.headers.get("cache-control", "")
    assert dashboard.headers["x-frame-options"] == "DENY"
    assert dashboard.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert page.headers["x-frame-options"] == "DENY"
    assert form.headers["content-security-policy"] == "frame-ancestors *"
    assert "x-frame-options" not in form.headers
