"""E-mail campaigns through a real SMTP server on loopback: who gets what, and unsubscribing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.campaigns import service
from barberbot.campaigns.results import results
from barberbot.campaigns.sender import Sender
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import ConsentEvent, Shop
from tests.campaigns.factories import (
    customer_by_name,
    days_ago,
    make_campaign,
    make_person,
    make_segment,
    sync,
)
from tests.campaigns.helpers import run_sender, states, unsubscribe_path
from tests.support.smtp import SmtpServer

EVERYONE = {"field": "inquiry_count", "min": 1}


@pytest.fixture
def people(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Al Green", email="al@x.example")
    make_person(session, shop=shop, name="Bo Black", email="bo@x.example", consent=False)
    make_person(session, shop=shop, name="Di Phone", phone="+447700900009")
    make_person(session, shop=shop, name="Ed White", email="ed@x.example")


@pytest.mark.usefixtures("people")
def test_only_consenting_customers_get_their_own_message_with_unsubscribe_headers(
    session: Session, shop: Shop, database: Database, settings: Settings, smtp: SmtpServer
) -> None:
    campaign = make_campaign(
        session, shop=shop, segment=make_segment(session, shop=shop, rule=EVERYONE), send=True
    )

    run_sender(database, settings)

    arrived = smtp.messages()
    assert sorted(r for m in arrived for r in m.recipients) == ["al@x.example", "ed@x.example"]
    al = smtp.to("al@x.example")[0]
    assert al.message["Subject"] == "King's Cuts has news for you, Al"
    assert al.message["From"] == "King's Cuts <offers@kings.example>"
    assert al.body.startswith("Hello Al, book now: http://testserver/s/kings-cuts/inquire?c=")
    assert campaign.token in al.body
    link = unsubscribe_path(al.body)
    assert al.message["List-Unsubscribe"].strip() == f"<http://testserver{link}>"
    assert al.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Hello Ed," in smtp.to("ed@x.example")[0].body
    assert states(session, campaign) == {"al@x.example": "sent", "ed@x.example": "sent"}


@pytest.mark.usefixtures("people")
def test_unsubscribe_page_and_one_click_then_the_next_campaign_skips_them(
    session: Session,
    shop: Shop,
    database: Database,
    settings: Settings,
    smtp: SmtpServer,
    client: TestClient,
) -> None:
    segment = make_segment(session, shop=shop, rule=EVERYONE)
    first = make_campaign(session, shop=shop, segment=segment, send=True)
    run_sender(database, settings)
    al_link = unsubscribe_path(smtp.to("al@x.example")[0].body)
    ed_link = unsubscribe_path(smtp.to("ed@x.example")[0].body)

    page = client.get(al_link)  # a link scanner's GET changes nothing
    assert page.status_code == 200
    assert "Unsubscribe from King" in page.text
    assert customer_by_name(session, shop, "Al Green").email_consent == "granted"
    one_click = client.post(al_link, data={"List-Unsubscribe": "One-Click"})  # RFC 8058
    button = client.post(ed_link)  # the page's button
    assert one_click.status_code == button.status_code == 200
    assert "You are unsubscribed" in button.text

    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    assert customer_by_name(session, shop, "Al Green").email_consent == "withdrawn"
    events = session.execute(
        select(ConsentEvent.method, ConsentEvent.campaign_id).where(
            ConsentEvent.state == "withdrawn"
        )
    ).all()
    assert sorted(events) == [("one_click", first.id), ("unsubscribe_link", first.id)]
    assert set(states(session, first).values()) == {"unsubscribed"}

    make_person(session, shop=shop, name="Fa New", email="fa@x.example")
    smtp.clear()
    second = make_campaign(session, shop=shop, segment=segment, name="Second", send=True)
    run_sender(database, settings)

    assert [r for m in smtp.messages() for r in m.recipients] == ["fa@x.example"]
    assert states(session, second) == {"fa@x.example": "sent"}


@pytest.mark.usefixtures("people")
def test_unsubscribing_after_the_campaign_started_is_effective_at_once(
    session: Session, shop: Shop, database: Database, settings: Settings, smtp: SmtpServer,
    client: TestClient,
) -> None:  # fmt: skip
    campaign = make_campaign(
        session, shop=shop, segment=make_segment(session, shop=shop, rule=EVERYONE), send=True
    )
    sender = Sender(database, settings)
    sender.start_due()  # recipients picked: Al and Ed are queued
    assert states(session, campaign) == {"al@x.example": "queued", "ed@x.example": "queued"}
    ed = customer_by_name(session, shop, "Ed White")
    from barberbot.campaigns.links import Links
    from barberbot.models import Channel

    link = Links(settings.resolved_secret_key, "http://testserver").unsubscribe_url(
        ed.id, Channel.EMAIL, None
    )
    client.post(link.removeprefix("http://testserver"))

    sender.run(until_idle=True)

    assert [r for m in smtp.messages() for r in m.recipients] == ["al@x.example"]
    assert states(session, campaign)["ed@x.example"] == "unsubscribed"


def test_a_refused_address_is_recorded_bounced(
    session: Session, shop: Shop, database: Database, settings: Settings, smtp: SmtpServer
) -> None:
    make_person(session, shop=shop, name="Gone Away", email="gone@x.example")
    make_person(session, shop=shop, name="Here Now", email="here@x.example")
    smtp.refuse.add("gone@x.example")
    campaign = make_campaign(
        session, shop=shop, segment=make_segment(session, shop=shop, rule=EVERYONE), send=True
    )

    run_sender(database, settings)

    assert states(session, campaign) == {"gone@x.example": "bounced", "here@x.example": "sent"}


def test_an_address_that_bounced_is_not_mailed_again_but_a_new_one_is(
    session: Session, shop: Shop, database: Database, settings: Settings, smtp: SmtpServer
) -> None:
    make_person(session, shop=shop, name="Gone Away", email="gone@x.example")
    make_person(session, shop=shop, name="Here Now", email="here@x.example")
    make_person(session, shop=shop, name="Moved On", email="old@x.example")
    smtp.refuse.update({"gone@x.example", "old@x.example"})
    segment = make_segment(session, shop=shop, rule=EVERYONE)
    first = make_campaign(session, shop=shop, segment=segment, send=True)
    run_sender(database, settings)
    smtp.refuse.clear()  # even if the server would take it now, the shop does not try again
    # Moved On gives a new address with a new inquiry (same phone: the same customer)
    phone = "+447700900111"
    make_person(session, shop=shop, name="Moved On", email="old@x.example", phone=phone,
                at=days_ago(0.5))  # fmt: skip
    make_person(session, shop=shop, name="Moved On", email="new@x.example", phone=phone,
                at=days_ago(0.1))  # fmt: skip
    second = make_campaign(session, shop=shop, segment=segment, send=True, name="Spring offer")
    smtp.clear()

    run_sender(database, settings)

    assert states(session, first) == {
        "gone@x.example": "bounced", "here@x.example": "sent", "old@x.example": "bounced",
    }  # fmt: skip
    assert states(session, second) == {
        "gone@x.example": "failed", "here@x.example": "sent", "new@x.example": "sent",
    }  # fmt: skip
    assert sorted(r for m in smtp.messages() for r in m.recipients) == [
        "here@x.example", "new@x.example",
    ]  # fmt: skip
    reasons = results(session, second).failures
    assert reasons == {"not sent: this address bounced in an earlier campaign": 1}


def test_a_customer_name_is_data_never_template(
    session: Session, shop: Shop, database: Database, settings: Settings, smtp: SmtpServer
) -> None:
    make_person(session, shop=shop, name="{{ 7*7 }} {{ shop_name }}", email="evil@x.example")
    make_campaign(
        session, shop=shop, segment=make_segment(session, shop=shop, rule=EVERYONE), send=True
    )

    run_sender(database, settings)

    assert smtp.to("evil@x.example")[0].body.startswith("Hello {{, book now")


def test_double_opt_in_sends_a_confirmation_and_waits_for_it(
    session: Session,
    shop: Shop,
    database: Database,
    settings: Settings,
    smtp: SmtpServer,
    client: TestClient,
) -> None:
    service.settings_of(session, shop).email_double_opt_in = True
    session.commit()
    make_person(session, shop=shop, name="Pat Careful", email="pat@x.example")
    sync(session, shop)
    segment = make_segment(session, shop=shop, rule=EVERYONE)
    make_campaign(session, shop=shop, segment=segment, send=True)

    run_sender(database, settings)

    [confirmation] = smtp.messages()  # the confirmation only: no campaign before consent
    assert confirmation.message["Subject"] == "Please confirm: news from King's Cuts"
    link = confirmation.body.split("http://testserver", 1)[1].split()[0]
    assert link.startswith("/confirm/")
    asked = client.get(link)
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    after_asking = customer_by_name(session, shop, "Pat Careful").email_consent
    assert client.post(link).status_code == 200
    assert client.get("/confirm/forged-token").status_code == 404
    assert client.post("/confirm/forged-token").status_code == 404
    session.rollback()
    assert asked.status_code == 200
    assert f'<form method="post" action="{link}">' in asked.text
    assert after_asking != "granted"  # a mail scanner's GET confirms nothing
    assert customer_by_name(session, shop, "Pat Careful").email_consent == "granted"

    smtp.clear()
    make_campaign(session, shop=shop, segment=segment, name="After", send=True)
    run_sender(database, settings)
    assert [m.recipients for m in smtp.messages()] == [["pat@x.example"]]


def test_a_forged_unsubscribe_link_is_404(client: TestClient) -> None:
    assert client.get("/u/not-a-real-token").status_code == 404
    assert client.post("/u/not-a-real-token").status_code == 404


def test_two_senders_at_once_send_everyone_exactly_once(
    session: Session, shop: Shop, database: Database, settings: Settings, smtp: SmtpServer
) -> None:
    import threading
    from collections import Counter

    for i in range(40):
        make_person(session, shop=shop, name=f"Guest {i}", email=f"guest{i}@x.example")
    campaign = make_campaign(
        session, shop=shop, segment=make_segment(session, shop=shop, rule=EVERYONE), send=True
    )
    senders = [Sender(database, settings) for _ in range(2)]
    threads = [threading.Thread(target=s.run, kwargs={"until_idle": True}) for s in senders]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    received = Counter(r for m in smtp.messages() for r in m.recipients)
    assert len(received) == 40
    assert set(received.values()) == {1}
    assert set(states(session, campaign).values()) == {"sent"}
