"""Campaigns through the API: clear errors before anything is sent, preview, test, schedule."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.campaigns.sender import Sender
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Campaign, Segment, Shop
from tests.campaigns.factories import make_person, make_segment
from tests.factories import make_shop, make_token, make_user
from tests.support.smtp import SmtpServer


@pytest.fixture
def segment(session: Session, shop: Shop) -> Segment:
    make_person(session, shop=shop, name="Zoë Núñez", email="zoe@x.example")
    return make_segment(session, shop=shop, rule={"field": "consent", "channel": "email"})


def _body(segment: Segment, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Spring",
        "segment_id": segment.id,
        "channel": "email",
        "subject": "Hi {{ first_name }}",
        "body": "{{ first_name | default('there', true) }}, quote {{ promo_code }} at "
        "{{ shop_name }}",
        "promo_code": "SPRING10",
    } | overrides


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"channel": "pigeon"}, "channel", "Unknown channel 'pigeon'; choose email or sms."),
        ({"body": "Hi {{ frist_name }}"}, "body", "Unknown field 'frist_name'; you can use:"),
        ({"subject": "Hi {{ first_name"}, "subject", "Line 1: unexpected end of template"),
        ({"body": "{{ name.__class__.__mro__ }}"}, "body", "An attribute cannot be used"),
        ({"body": "{% include 'secrets.txt' %}"}, "body", "{% include %} cannot be used"),
        (
            {
                "body": "{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}"
                "{% endfor %}"
            },
            "body",
            "A loop ({% for %}) cannot be used",
        ),
        ({"body": "{{ 'x' * 1000000000 }}"}, "body", "Arithmetic cannot be used"),
        ({"body": "{{ name | join(',') }}"}, "body", "The filter 'join' cannot be used"),
        ({"body": "{{ lipsum }}"}, "body", "Unknown field 'lipsum'; you can use:"),
        ({"subject": "{{ range }}"}, "subject", "Unknown field 'range'; you can use:"),
        ({"subject": ""}, "subject", "An e-mail needs a subject."),
        ({"promo_code": "no spaces!"}, "promo_code", "3 to 40 letters"),
        ({"segment_id": 999999}, "segment_id", "No such segment"),
        ({"quiet_start": 25}, "quiet_start", "An hour from 0 to 23."),
    ],
)
def test_bad_campaigns_get_a_clear_error_per_field(
    client: TestClient,
    owner_headers: dict[str, str],
    shop: Shop,
    segment: Segment,
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/campaigns", json=_body(segment, **overrides),
        headers=owner_headers,
    )  # fmt: skip

    assert response.status_code == 422, response.text
    assert message in response.json()["errors"][field]


def test_preview_uses_a_real_customer_and_the_test_goes_to_the_owner_only(
    client: TestClient,
    owner_headers: dict[str, str],
    shop: Shop,
    segment: Segment,
    smtp: SmtpServer,
) -> None:
    base = f"/api/v1/shops/{shop.slug}/campaigns"
    campaign = client.post(base, json=_body(segment), headers=owner_headers).json()

    preview = client.post(f"{base}/{campaign['id']}/preview", headers=owner_headers)
    test = client.post(f"{base}/{campaign['id']}/test", json={}, headers=owner_headers)

    assert preview.status_code == 200, preview.text
    assert preview.json()["subject"] == "Hi Zoë"
    assert preview.json()["body"] == "Zoë, quote SPRING10 at King's Cuts"
    assert preview.json()["to"] == "zoe@x.example"
    assert test.status_code == 200, test.text
    [arrived] = smtp.messages()
    assert arrived.recipients == ["owner@kings.example"]
    assert arrived.message["Subject"] == "[TEST] Hi Zoë"
    assert client.get(f"{base}/{campaign['id']}", headers=owner_headers).json()["status"] == (
        "draft"
    )


def test_a_scheduled_time_is_the_shops_local_time(
    client: TestClient,
    session: Session,
    database: Database,
    settings: Settings,
    smtp: SmtpServer,
) -> None:
    shop = make_shop(session, slug="ny-fades", name="NY Fades", timezone="America/New_York")
    owner = make_user(session, email="boss@ny.example", shops=[shop])
    headers = {"Authorization": f"Bearer {make_token(session, owner)}"}
    make_person(session, shop=shop, name="Sam", email="sam@x.example")
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "email"})
    base = f"/api/v1/shops/{shop.slug}/campaigns"
    made = client.post(base, json=_body(segment), headers=headers).json()

    sent = client.post(
        f"{base}/{made['id']}/send", json={"send_at": "2030-06-01T10:00:00"}, headers=headers
    )

    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "scheduled"
    stored = session.get(Campaign, made["id"])
    assert stored is not None
    assert stored.send_at == datetime(2030, 6, 1, 14, 0, tzinfo=UTC)  # EDT is UTC-4
    early = Sender(database, settings, now=lambda: datetime(2030, 6, 1, 13, 59, tzinfo=UTC))
    early.run(until_idle=True)
    assert smtp.messages() == []
    on_time = Sender(database, settings, now=lambda: datetime(2030, 6, 1, 14, 0, tzinfo=UTC))
    on_time.run(until_idle=True)
    assert [m.recipients for m in smtp.messages()] == [["sam@x.example"]]
    again = client.post(f"{base}/{made['id']}/send", json={}, headers=headers)
    assert again.status_code == 422
    assert "only drafts" in again.json()["errors"]["status"]


def test_staff_cannot_send(
    client: TestClient,
    session: Session,
    shop: Shop,
    segment: Segment,
    owner_headers: dict[str, str],
) -> None:
    from barberbot.models import Role

    staff = make_user(session, email="staff@kings.example", shops=[shop], role=Role.STAFF)
    headers = {"Authorization": f"Bearer {make_token(session, staff)}"}
    base = f"/api/v1/shops/{shop.slug}/campaigns"
    made = client.post(base, json=_body(segment), headers=headers).json()

    response = client.post(f"{base}/{made['id']}/send", json={}, headers=headers)

    assert response.status_code == 403


def test_other_shops_campaigns_are_404(
    client: TestClient,
    session: Session,
    shop: Shop,
    segment: Segment,
    owner_headers: dict[str, str],
) -> None:
    base = f"/api/v1/shops/{shop.slug}/campaigns"
    made = client.post(base, json=_body(segment), headers=owner_headers).json()
    rival = make_shop(session, slug="rival", name="Rival")
    boss = make_user(session, email="boss@rival.example", shops=[rival])
    headers = {"Authorization": f"Bearer {make_token(session, boss)}"}

    assert client.get(f"{base}/{made['id']}", headers=headers).status_code == 404
    assert (
        client.get(f"/api/v1/shops/rival/campaigns/{made['id']}", headers=headers).status_code
        == 404
    )
