"""The shop settings page through the test client: an owner's saved changes show on the public
form and thank-you page at once (name, colour, logo, thank-you message, offered types); bad
input is refused beside its field with what was typed and nothing changes; staff get 403 and
no link, another shop 404."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.models import Role, Shop, User
from barberbot.shops import settings
from tests.factories import make_shop, make_user
from tests.web.test_inbox_pages import sign_in

PAGE = "/shops/kings-cuts/settings"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100_000  # over the 64 KB other posts may send
GOOD = {
    "name": "King's Cuts",
    "timezone": "Europe/London",
    "country": "GB",
    "consent_text": "",
    "thanks_text": "Cheers! We ring back within a day.",
    "brand_colour": "#1F6FEB",
    "retention": "on",
    "retention_months": "24",
}


def _csrf(client: TestClient) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(PAGE).text)
    assert match, "no CSRF field on the page"
    return match.group(1)


def _post(client: TestClient, url: str, files: Any = None, **data: str) -> Any:
    data = {**data, "csrf": _csrf(client)}
    return client.post(url, data=data, files=files, follow_redirects=False)


def _snapshot(session: Session, shop: Shop) -> dict[str, Any]:
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    session.expire_all()
    return settings.snapshot(session.get_one(Shop, shop.id))


def test_an_owners_changes_show_on_the_public_form_at_once(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    sign_in(client, owner)
    first = client.get(PAGE)
    saved = _post(client, PAGE, **GOOD)
    added = _post(client, PAGE + "/types", label="Beard Trim Inquiry")
    retired = _post(client, PAGE + "/types/shave", action="retire", label="Shave")
    moved = _post(client, PAGE + "/types/beard_trim_inquiry", action="up", label="")
    logo = _post(client, PAGE + "/logo", files={"image": ("logo.png", PNG, "image/png")})
    page = client.get(saved.headers["location"])
    form = client.get("/s/kings-cuts/inquire")
    thanks = client.get("/s/kings-cuts/thanks")
    logo_url = re.search(r'src="(/s/kings-cuts/logo/[0-9a-f]{16})"', form.text)

    assert first.status_code == 200
    assert "are read as this country's, and numbers are shown in its national format" in first.text
    assert '<option value="GB" selected>' in first.text
    assert [r.status_code for r in (saved, added, retired, moved, logo)] == [303] * 5
    assert "Settings saved: the web form shows them now." in page.text
    assert '<option value="Europe/London" selected>' in page.text
    assert '<span class="badge">retired</span>' in page.text
    assert 'aria-label="Bring back Shave"' in page.text
    assert re.findall(r"<td>(\d+)</td>", page.text)[:5] == ["5", "4", "3", "2", "1"]
    assert "--accent: #1f6feb; --accent-ink: #ffffff" in form.text
    assert 'value="shave"' not in form.text  # retired: no longer offered
    options = re.findall(r'<option value="([a-z_]+)"', form.text)
    assert options[-2:] == ["beard_trim_inquiry", "other"]
    assert "<p>Cheers! We ring back within a day.</p>" in thanks.text
    assert logo_url is not None
    image = client.get(logo_url.group(1))
    assert (image.content, image.headers["content-type"]) == (PNG, "image/png")
    assert "immutable" in image.headers["cache-control"]
    assert _snapshot(session, shop)["retention_months"] == 24


def test_bad_input_is_refused_beside_the_field_and_nothing_changes(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    sign_in(client, owner)
    before = _snapshot(session, shop)
    bad = {**GOOD, "name": " ", "brand_colour": "red;}", "timezone": "Mars/Olympus",
           "country": "ZZ", "retention_months": "0"}  # fmt: skip
    refused = _post(client, PAGE, **bad)
    big = _post(client, PAGE + "/logo", files={"image": ("big.png", PNG * 3, "image/png")})
    text = _post(client, PAGE + "/logo", files={"image": ("x.png", b"<svg/>", "image/png")})
    same_label = _post(client, PAGE + "/types", label="haircut")

    assert refused.status_code == 422
    for field, message in [
        ("name", "Give the shop a name."),
        ("brand_colour", "Give the colour as # and six hex digits"),
        ("timezone", "Choose a time zone from the list"),
        ("country", "Choose a country from the list"),
        ("retention_months", "Enter a whole number of months from 1 to 120."),
    ]:
        assert f'<p class="error" id="{field}-error">{message}' in refused.text
    assert 'value="red;}"' in refused.text  # what was typed is kept
    assert "Cheers! We ring back within a day.</textarea>" in refused.text
    assert (big.status_code, text.status_code, same_label.status_code) == (422, 422, 422)
    assert "keep it to 200 KB" in big.text
    assert "The logo must be a PNG, JPEG or WebP image." in text.text
    assert "There is already an inquiry type &#39;Haircut&#39;" in same_label.text
    assert _snapshot(session, shop) == before


def test_staff_get_403_and_no_link_another_shop_404(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    make_shop(session, slug="rivals", name="Rivals")
    staff = make_user(session, email="sam@kings.example", shops=[shop], role=Role.STAFF)
    sign_in(client, owner)
    owner_sees = 'id="settings-link"' in client.get("/shops/kings-cuts").text
    rivals = client.get("/shops/rivals/settings").status_code
    client.post("/logout", data={"csrf": _csrf(client)})
    sign_in(client, staff)
    staff_page = client.get("/shops/kings-cuts")

    assert owner_sees
    assert rivals == 404
    assert 'id="settings-link"' not in staff_page.text
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data=GOOD).status_code == 403
