"""What one shop's bad data cannot do: a reply-to or test address with a header in it is
refused where it is typed (422), staff send tests only to themselves, and a message that
cannot be made is failed on its own while every other shop's campaign goes out in full."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import CampaignRecipient, CampaignSettings, Role, Shop
from tests.campaigns.factories import make_campaign, make_person, make_segment
from tests.campaigns.helpers import run_sender, states
from tests.factories import make_shop, make_token, make_user
from tests.support.smtp import SmtpServer

INJECTED = "owner@b.example\r\nBcc: x@y.example"
EMAIL = {"field": "consent", "channel": "email"}


def test_a_reply_to_with_a_header_in_it_is_refused_and_nothing_changes(
    client: TestClient, shop: Shop, owner_headers: dict[str, str]
) -> None:
    url = f"/api/v1/shops/{shop.slug}/campaign-settings"
    refused = [
        client.put(url, json={"email_double_opt_in": False, "reply_to": bad}, headers=owner_headers)
        for bad in [INJECTED, "two@a.example, three@b.example", "Owner <o@a.example>", "nobody"]
    ]
    fine = client.put(url, json={"email_double_opt_in": False, "reply_to": " Desk@Kings.example "},
                      headers=owner_headers)  # fmt: skip

    for response in refused:
        assert response.status_code == 422
        assert set(response.json()["errors"]) == {"reply_to"}
    assert fine.status_code == 200
    assert client.get(url, headers=owner_headers).json()["reply_to"] == "Desk@kings.example"


def test_test_sends_refuse_headers_and_staff_send_only_to_themselves(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str],
    smtp: SmtpServer,
) -> None:  # fmt: skip
    make_person(session, shop=shop, name="Al Green", email="al@x.example")
    campaign = make_campaign(
        session, shop=shop, segment=make_segment(session, shop=shop, rule=EMAIL)
    )
    staff = make_user(session, email="sam@kings.example", shops=[shop], role=Role.STAFF)
    staff_headers = {"Authorization": f"Bearer {make_token(session, staff)}"}
    url = f"/api/v1/shops/{shop.slug}/campaigns/{campaign.id}/test"

    injected = client.post(url, json={"to": INJECTED}, headers=owner_headers)
    elsewhere = client.post(url, json={"to": "friend@else.example"}, headers=staff_headers)
    own = client.post(url, json={}, headers=staff_headers)

    assert injected.status_code == 422
    assert set(injected.json()["errors"]) == {"to"}
    assert elsewhere.status_code == 403
    assert "only to their own e-mail address" in elsewhere.json()["detail"]
    assert own.status_code == 200
    assert [m.recipients for m in smtp.messages()] == [["sam@kings.example"]]


def test_a_message_that_cannot_be_made_fails_alone_and_other_shops_go_out(
    session: Session, shop: Shop, database: Database, settings: Settings, smtp: SmtpServer
) -> None:
    other = make_shop(session, slug="fade-house", name="Fade House")
    for each, names in [(shop, ["al", "bo"]), (other, ["cy", "di", "ed"])]:
        for name in names:
            make_person(session, shop=each, name=name.title(), email=f"{name}@x.example")
    broken = make_campaign(
        session, shop=shop, segment=make_segment(session, shop=shop, rule=EMAIL), send=True
    )
    fine = make_campaign(
        session, shop=other, segment=make_segment(session, shop=other, rule=EMAIL), send=True
    )
    # saved before addresses were checked where they are typed
    session.add(CampaignSettings(shop_id=shop.id, email_double_opt_in=False, reply_to=INJECTED))
    session.commit()

    run_sender(database, settings)

    assert states(session, fine) == {
        "cy@x.example": "sent",
        "di@x.example": "sent",
        "ed@x.example": "sent",
    }
    assert states(session, broken) == {"al@x.example": "failed", "bo@x.example": "failed"}
    reasons = session.scalars(
        select(CampaignRecipient.reason).where(CampaignRecipient.campaign_id == broken.id)
    ).all()
    assert all(r and r.startswith("Not sent: the message could not be made") for r in reasons)
    assert sorted(r for m in smtp.messages() for r in m.recipients) == [
        "cy@x.example", "di@x.example", "ed@x.example",
    ]  # fmt: skip
