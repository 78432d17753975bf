"""The public form, server side: what a browser without JavaScript gets."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop
from tests.factories import inquiry_payload


def _form(**overrides: object) -> dict[str, str]:
    data = {k: "" if v is None else str(v) for k, v in inquiry_payload(**overrides).items()}
    data["marketing_consent"] = "yes"
    return data


def _stored(session: Session) -> list[Inquiry]:
    session.expire_all()
    return list(session.scalars(select(Inquiry)))


def test_the_form_is_in_the_shops_name_with_labelled_fields(client: TestClient, shop: Shop) -> None:
    page = client.get(f"/s/{shop.slug}/inquire")

    assert page.status_code == 200
    assert "Ask King&#39;s Cuts" in page.text
    for field in ("customer_name", "age", "gender", "inquiry_type", "phone", "email", "message"):
        assert f'<label for="{field}"' in page.text
        assert f'id="{field}"' in page.text
    assert "Beard trim" in page.text
    assert page.headers["content-security-policy"] == "frame-ancestors *"


def test_submitting_stores_and_redirects_to_thanks(
    client: TestClient, shop: Shop, session: Session
) -> None:
    response = client.post(f"/s/{shop.slug}/inquire", data=_form(), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == f"/s/{shop.slug}/thanks?location=high-street"
    [stored] = _stored(session)
    assert stored.source == "web_form"
    assert stored.consent_text == shop.effective_consent_text()
    thanks = client.get(response.headers["location"])
    assert "Thank you!" in thanks.text


def test_location_and_embed_are_carried_through(
    client: TestClient, shop: Shop, session: Session
) -> None:
    page = client.get(f"/s/{shop.slug}/inquire", params={"embed": 1, "location": "station-road"})
    assert 'name="location" value="station-road"' in page.text
    assert "frame.js" in page.text

    response = client.post(
        f"/s/{shop.slug}/inquire?embed=1",
        data=_form(location="station-road"),
        follow_redirects=False,
    )

    assert "embed=1" in response.headers["location"]
    assert _stored(session)[0].location == "station-road"


def test_errors_come_back_beside_each_field_with_input_kept(
    client: TestClient, shop: Shop, session: Session
) -> None:
    response = client.post(
        f"/s/{shop.slug}/inquire",
        data=_form(age="abc", email="nope", phone="", message="Keep me <b>please</b>"),
    )

    assert response.status_code == 422
    assert 'id="age-error"' in response.text
    assert 'id="email-error"' in response.text
    assert 'aria-describedby="age-error"' in response.text
    assert 'value="Jamal Brooks"' in response.text
    assert 'value="abc"' in response.text
    assert "Keep me &lt;b&gt;please&lt;/b&gt;" in response.text  # kept, and escaped
    assert '<option value="beard_trim" selected>' in response.text
    assert _stored(session) == []


def test_the_honeypot_pretends_success_and_stores_nothing(
    client: TestClient, shop: Shop, session: Session
) -> None:
    data = _form()
    data["website"] = "http://spam.example"

    response = client.post(f"/s/{shop.slug}/inquire", data=data, follow_redirects=False)

    assert response.status_code == 303
    assert _stored(session) == []


def test_unknown_shop_is_a_404_page(client: TestClient) -> None:
    response = client.get("/s/nowhere/inquire")

    assert response.status_code == 404
    assert "Unknown shop" in response.text
    assert response.headers["content-type"].startswith("text/html")
