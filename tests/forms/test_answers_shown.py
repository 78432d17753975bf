"""Custom answers where the owner reads inquiries: the list API and the shop page.

Against the SQL answer store and a real MongoDB server (see conftest.py).
"""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.models import Shop, User
from tests.factories import PASSWORD, inquiry_payload, make_form, make_inquiry
from tests.support.dashboard import sign_in

ANSWERS = {"hair_type": "Curly", "heard_from": ["Friend", "Instagram"], "first_visit": True}


def _capture(client: TestClient, shop: Shop, name: str, **extra: object) -> str:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries",
        json=inquiry_payload(customer_name=name, **extra),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_the_list_api_gives_each_inquirys_answers(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    before = str(make_inquiry(session, shop=shop, customer_name="Before The Form").id)
    form = make_form(session, shop=shop)
    after = _capture(client, shop, "With Answers", answers=ANSWERS)

    page = client.get(f"/api/v1/shops/{shop.slug}/inquiries", headers=owner_headers).json()

    items = {item["id"]: item for item in page["items"]}
    assert (items[after]["answers"], items[after]["form_version"]) == (ANSWERS, form.version)
    assert (items[before]["answers"], items[before]["form_version"]) == ({}, None)  # none asked


def test_the_shop_page_shows_answers_by_question_label(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    make_form(session, shop=shop)
    _capture(client, shop, "Zoë Answered", answers=ANSWERS)
    _capture(client, shop, "Nadia Minimal", answers={"hair_type": "Wavy"})
    sign_in(client, owner.email, PASSWORD, next_url="/")

    html = client.get(f"/shops/{shop.slug}").text

    rows = {_name(row): _answers(row) for row in re.findall(r"<tr>.*?</tr>", html, re.S)[1:]}
    assert rows == {
        "Zoë Answered": [
            ("Hair type", "Curly"),
            ("How did you hear about us?", "Friend; Instagram"),
            ("First visit?", "yes"),
        ],
        "Nadia Minimal": [("Hair type", "Wavy")],
    }


def _name(row: str) -> str:
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    return unescape(re.sub(r"<[^>]+>", "", cells[1]))  # after the time: the name (a link)


def _answers(row: str) -> list[tuple[str, str]]:
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", row, re.S)
    return [(unescape(label), unescape(value)) for label, value in pairs]
