"""SMS campaigns through a Twilio-shaped HTTP provider (a fake at the HTTP boundary), STOP."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.messaging.twilio import TwilioSms
from barberbot.models import ConsentEvent, Shop
from tests.campaigns.factories import customer_by_name, make_campaign, make_person, make_segment
from tests.campaigns.helpers import run_sender, states

SID, TOKEN = "AC123", "twilio-secret"


class FakeTwilio:
    """Answers like Twilio's Messages endpoint and keeps every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        form = parse_qs(request.content.decode())
        if form["To"][0] == "+15005550001":  # Twilio's magic invalid number
            return httpx.Response(400, json={"code": 21211, "message": "Invalid 'To' number"})
        return httpx.Response(201, json={"sid": f"SM{len(self.requests)}", "status": "queued"})

    def sent(self) -> list[dict[str, str]]:
        return [{k: v[0] for k, v in parse_qs(r.content.decode()).items()} for r in self.requests]


@pytest.fixture
def twilio() -> FakeTwilio:
    return FakeTwilio()


@pytest.fixture
def provider(twilio: FakeTwilio) -> Iterator[TwilioSms]:
    client = httpx.Client(transport=httpx.MockTransport(twilio))
    yield TwilioSms("https://api.twilio.test", SID, TOKEN, "+447000000000", client)
    client.close()


@pytest.fixture
def people(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Al Text", phone="+44 7700 900101")
    make_person(session, shop=shop, name="Bo NoConsent", phone="+447700900102", consent=False)
    make_person(session, shop=shop, name="Cy Mail", email="cy@x.example")
    make_person(session, shop=shop, name="Di Text", phone="+447700900104", email="di@x.example")


NOON = datetime(2030, 1, 7, 12, 0, tzinfo=UTC)


@pytest.mark.usefixtures("people")
def test_sms_reach_consenting_phones_in_twilios_shape(
    session: Session,
    shop: Shop,
    database: Database,
    settings: Settings,
    provider: TwilioSms,
    twilio: FakeTwilio,
) -> None:
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "sms"})
    campaign = make_campaign(
        session, shop=shop, segment=segment, channel="sms", subject="",
        body="{{ first_name }}, 20% off beard trims with {{ promo_code }}!", promo_code="BEARD20",
    )  # fmt: skip
    campaign.send_at = NOON
    campaign.status = "scheduled"
    session.commit()

    run_sender(database, settings, sms=provider, now=lambda: NOON)

    sent = sorted(twilio.sent(), key=lambda m: m["To"])
    assert [m["To"] for m in sent] == ["+447700900101", "+447700900104"]
    assert sent[0]["From"] == "+447000000000"
    assert sent[0]["Body"] == "Al, 20% off beard trims with BEARD20!\nReply STOP to opt out."
    request = twilio.requests[0]
    assert request.url.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert (
        request.headers["authorization"]
        == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    )
    assert set(states(session, campaign).values()) == {"sent"}


@pytest.mark.usefixtures("people")
def test_quiet_hours_hold_sms_until_morning(
    session: Session,
    shop: Shop,
    database: Database,
    settings: Settings,
    provider: TwilioSms,
    twilio: FakeTwilio,
) -> None:
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "sms"})
    campaign = make_campaign(
        session, shop=shop, segment=segment, channel="sms", subject="", body="Hi {{ name }}",
        quiet_start=21, quiet_end=9,
    )  # fmt: skip
    late = datetime(2030, 1, 7, 22, 30, tzinfo=UTC)
    campaign.send_at, campaign.status = late, "scheduled"
    session.commit()

    run_sender(database, settings, sms=provider, now=lambda: late)
    assert twilio.requests == []
    assert set(states(session, campaign).values()) == {"queued"}

    morning = datetime(2030, 1, 8, 9, 0, tzinfo=UTC)
    run_sender(database, settings, sms=provider, now=lambda: morning)
    assert len(twilio.requests) == 2


def test_an_invalid_number_is_a_bounce(
    session: Session,
    shop: Shop,
    database: Database,
    settings: Settings,
    provider: TwilioSms,
) -> None:
    make_person(session, shop=shop, name="Magic", phone="+15005550001")
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "sms"})
    campaign = make_campaign(
        session, shop=shop, segment=segment, channel="sms", subject="", body="Hi",
        quiet_start=None, quiet_end=None, send=True,
    )  # fmt: skip

    run_sender(database, settings, sms=provider)

    assert states(session, campaign) == {"+15005550001": "bounced"}


@pytest.mark.usefixtures("people")
def test_stop_reply_unsubscribes_and_the_next_campaign_skips_them(
    session: Session,
    shop: Shop,
    database: Database,
    settings: Settings,
    provider: TwilioSms,
    twilio: FakeTwilio,
    client: TestClient,
) -> None:
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "sms"})
    first = make_campaign(
        session, shop=shop, segment=segment, channel="sms", subject="", body="Hi {{ name }}",
        quiet_start=None, quiet_end=None, send=True,
    )  # fmt: skip
    run_sender(database, settings, sms=provider)

    reply = client.post(
        "/webhooks/sms/inbound",
        data={
            "From": "+447700900101",
            "To": "+447000000000",
            "Body": " stop ",
            "MessageSid": "SMx",
        },
    )

    assert reply.status_code == 200
    assert "<Response/>" in reply.text
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    assert customer_by_name(session, shop, "Al Text").sms_consent == "withdrawn"
    event = session.scalars(select(ConsentEvent).where(ConsentEvent.state == "withdrawn")).one()
    assert (event.method, event.campaign_id, event.detail["message_sid"]) == (
        "sms_stop", first.id, "SMx"
    )  # fmt: skip
    assert states(session, first)["+447700900101"] == "unsubscribed"

    twilio.requests.clear()
    make_campaign(
        session, shop=shop, segment=segment, channel="sms", subject="", body="Again",
        name="Second", quiet_start=None, quiet_end=None, send=True,
    )  # fmt: skip
    run_sender(database, settings, sms=provider)
    assert [m["To"] for m in twilio.sent()] == ["+447700900104"]


def test_a_reply_that_is_not_stop_changes_nothing(
    session: Session, shop: Shop, client: TestClient
) -> None:
    make_person(session, shop=shop, name="Chatty", phone="+447700900105")
    client.post("/webhooks/sms/inbound", data={"From": "+447700900105", "Body": "Thanks!"})
    from tests.campaigns.factories import sync

    sync(session, shop)
    assert customer_by_name(session, shop, "Chatty").sms_consent == "granted"


def test_with_an_auth_token_the_webhook_checks_twilios_signature(
    settings: Settings, database: Database
) -> None:
    from pydantic import SecretStr

    from barberbot.app import create_app

    signed = settings.model_copy(update={"sms_auth_token": SecretStr(TOKEN)})
    form = {"From": "+447700900101", "Body": "STOP"}
    url = "http://testserver/webhooks/sms/inbound"
    payload = url + "".join(f"{k}{form[k]}" for k in sorted(form))
    good = base64.b64encode(hmac.new(TOKEN.encode(), payload.encode(), hashlib.sha1).digest())
    with TestClient(create_app(signed, database), base_url="http://testserver") as client:
        forged = client.post(url, data=form, headers={"X-Twilio-Signature": "forged"})
        genuine = client.post(url, data=form, headers={"X-Twilio-Signature": good.decode()})
    assert forged.status_code == 403
    assert genuine.status_code == 200


def test_stop_from_the_international_form_of_a_national_number(
    session: Session, shop: Shop, client: TestClient
) -> None:
    make_person(session, shop=shop, name="Local Typist", phone="07700 900106")
    make_person(session, shop=shop, name="Someone Else", phone="+447700900107")
    from tests.campaigns.factories import sync

    sync(session, shop)  # they got an SMS, so they are customers already

    client.post("/webhooks/sms/inbound", data={"From": "+447700900106", "Body": "STOP"})

    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    assert customer_by_name(session, shop, "Local Typist").sms_consent == "withdrawn"
    assert customer_by_name(session, shop, "Someone Else").sms_consent == "granted"


def test_without_an_auth_token_the_webhook_refuses_every_stop(
    session: Session, shop: Shop, settings: Settings, database: Database
) -> None:
    from barberbot.app import create_app

    make_person(session, shop=shop, name="Al", phone="+447700900107")
    default = settings.model_copy(update={"sms_webhook_insecure": False})
    with TestClient(create_app(default, database), base_url="http://testserver") as client:
        form = {"From": "+447700900107", "Body": "STOP"}
        refused = client.post("/webhooks/sms/inbound", data=form)

    assert refused.status_code == 403
    assert "BARBERBOT_SMS_AUTH_TOKEN" in refused.json()["detail"]
    session.rollback()
    assert session.scalars(select(ConsentEvent)).all() == []
