"""The owner's campaign pages through the test client."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import Campaign, Segment, Shop, User
from tests.campaigns.factories import make_person
from tests.factories import PASSWORD


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _sign_in(client: TestClient, email: str) -> None:
    token = _csrf(client.get("/login").text)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf": token})


def test_build_a_segment_create_a_campaign_preview_and_send(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    make_person(session, shop=shop, name="Zed Page", email="zed@x.example", age=30)
    _sign_in(client, owner.email)
    page = client.get(f"/shops/{shop.slug}/campaigns")
    assert page.status_code == 200
    assert f'href="/shops/{shop.slug}/campaigns"' in page.text  # in the owner's menu
    csrf = _csrf(page.text)

    bad = client.post(
        f"/shops/{shop.slug}/segments", data={"name": "Bad", "rule": "{not json", "csrf": csrf}
    )
    assert bad.status_code == 422
    assert "The rule is not valid JSON." in bad.text
    made = client.post(
        f"/shops/{shop.slug}/segments",
        data={"name": "Thirties", "rule": '{"field": "age_band", "in": ["25-34"]}', "csrf": csrf},
    )
    assert made.status_code == 200  # redirected back to the list
    assert "Thirties" in made.text
    session.rollback()
    segment = session.scalars(select(Segment)).one()

    unknown = client.post(
        f"/shops/{shop.slug}/campaigns",
        data={"name": "Hi", "segment_id": segment.id, "channel": "email", "subject": "Hi",
              "body": "{{ nickname }}", "csrf": csrf},
    )  # fmt: skip
    assert unknown.status_code == 422
    assert "Unknown field &#39;nickname&#39;" in unknown.text
    created = client.post(
        f"/shops/{shop.slug}/campaigns",
        data={"name": "Hi", "segment_id": segment.id, "channel": "email",
              "subject": "Hello {{ first_name }}", "body": "See you, {{ first_name }}!",
              "csrf": csrf},
    )  # fmt: skip
    assert created.status_code == 200
    assert "See you, Zed!" in created.text  # the preview, made for a real customer
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    campaign = session.scalars(select(Campaign)).one()

    sent = client.post(f"/shops/{shop.slug}/campaigns/{campaign.id}/send", data={"csrf": csrf})
    assert "Scheduled" in sent.text
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    session.refresh(campaign)
    assert campaign.status == "scheduled"
