"""With no mail server set up, campaigns land in the local outbox: once each, for their shop."""

from __future__ import annotations

import email
import email.policy
import re
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.app import create_app
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.messaging.outbox import SHOP_HEADER
from barberbot.models import Shop, User
from tests.campaigns.factories import make_campaign, make_person, make_segment
from tests.campaigns.helpers import run_sender, states
from tests.factories import make_shop
from tests.support.smtp import SmtpServer
from tests.web.test_inbox_pages import sign_in

EMAIL = {"field": "consent", "channel": "email"}
SMS = {"field": "consent", "channel": "sms"}


@pytest.fixture
def no_mail(settings: Settings) -> Settings:
    """The embedded default: no mail server, no SMS provider."""
    return settings.model_copy(update={"smtp_host": ""})


@pytest.fixture
def people(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Al Green", email="al@x.example", phone="+447700900101")
    make_person(session, shop=shop, name="Bo Black", email="bo@x.example", consent=False)
    make_person(session, shop=shop, name="Ed White", email="ed@x.example")


def kept(folder: Path, suffix: str = ".eml") -> list[email.message.EmailMessage]:
    found = []
    for path in sorted(folder.glob(f"*{suffix}")):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        found.append(parsed)
    return found


@pytest.mark.usefixtures("people")
def test_a_campaign_lands_in_the_outbox_exactly_once_with_its_shop(
    session: Session, shop: Shop, database: Database, no_mail: Settings, smtp: SmtpServer
) -> None:
    campaign = make_campaign(
        session, shop=shop, segment=make_segment(session, shop=shop, rule=EMAIL), send=True
    )

    run_sender(database, no_mail)
    run_sender(database, no_mail)  # again: nothing is kept twice

    messages = kept(no_mail.resolved_local_outbox_dir)
    assert Counter(m["To"] for m in messages) == {"al@x.example": 1, "ed@x.example": 1}
    assert {m[SHOP_HEADER] for m in messages} == {str(shop.id)}
    al = next(m for m in messages if m["To"] == "al@x.example")
    assert al["Subject"] == "King's Cuts has news for you, Al"
    assert al["List-Unsubscribe"].strip().startswith("<http://testserver/u/")
    assert states(session, campaign) == {"al@x.example": "sent", "ed@x.example": "sent"}
    assert smtp.messages() == []  # the test's mail server was never told


@pytest.mark.usefixtures("people")
def test_an_sms_campaign_lands_in_the_outbox_with_the_stop_footer(
    session: Session, shop: Shop, database: Database, no_mail: Settings
) -> None:
    segment = make_segment(session, shop=shop, rule=SMS)
    campaign = make_campaign(
        session, shop=shop, segment=segment, channel="sms", subject="", body="Hi {{ first_name }}",
        quiet_start=None, quiet_end=None, send=True,
    )  # fmt: skip

    run_sender(database, no_mail)

    folder = no_mail.resolved_local_outbox_dir
    [path] = folder.glob("*.sms.json")
    assert f"-s{shop.id}-" in path.name
    assert '"body": "Hi Al\\nReply STOP to opt out."' in path.read_text()
    assert states(session, campaign) == {"+447700900101": "sent"}


@pytest.mark.usefixtures("people")
def test_with_smtp_set_up_the_campaign_goes_to_the_server_and_not_to_the_outbox(
    session: Session, shop: Shop, database: Database, settings: Settings, smtp: SmtpServer
) -> None:
    make_campaign(
        session, shop=shop, segment=make_segment(session, shop=shop, rule=EMAIL), send=True
    )

    run_sender(database, settings)

    assert sorted(r for m in smtp.messages() for r in m.recipients) == [
        "al@x.example",
        "ed@x.example",
    ]
    assert list(settings.resolved_local_outbox_dir.glob("*")) == []


@pytest.mark.usefixtures("people")
def test_two_shops_campaigns_are_kept_apart(
    session: Session, shop: Shop, database: Database, no_mail: Settings
) -> None:
    other = make_shop(session, slug="fade-house", name="Fade House")
    make_person(session, shop=other, name="Zed Fade", email="zed@y.example")
    for each in (shop, other):
        make_campaign(
            session, shop=each, segment=make_segment(session, shop=each, rule=EMAIL), send=True
        )

    run_sender(database, no_mail)

    by_shop = Counter((m[SHOP_HEADER], m["To"]) for m in kept(no_mail.resolved_local_outbox_dir))
    assert by_shop == {
        (str(shop.id), "al@x.example"): 1,
        (str(shop.id), "ed@x.example"): 1,
        (str(other.id), "zed@y.example"): 1,
    }


@pytest.mark.usefixtures("people")
def test_a_test_send_without_a_mail_server_says_it_was_kept(
    session: Session,
    shop: Shop,
    database: Database,
    no_mail: Settings,
    owner_headers: dict[str, str],
) -> None:
    campaign = make_campaign(
        session, shop=shop, segment=make_segment(session, shop=shop, rule=EMAIL)
    )
    with TestClient(create_app(no_mail, database), base_url="http://testserver") as client:
        answer = client.post(
            f"/api/v1/shops/{shop.slug}/campaigns/{campaign.id}/test",
            json={"to": "me@kings.example"},
            headers=owner_headers,
        )

    assert answer.status_code == 200, answer.text
    [message] = kept(no_mail.resolved_local_outbox_dir)
    assert message["To"] == "me@kings.example"
    assert message["Subject"].startswith("[TEST] ")
    assert message[SHOP_HEADER] == str(shop.id)


@pytest.mark.usefixtures("people")
def test_the_campaigns_results_say_kept_in_the_outbox_not_delivered(
    session: Session, shop: Shop, database: Database, no_mail: Settings, owner: User
) -> None:
    campaign = make_campaign(
        session, shop=shop, segment=make_segment(session, shop=shop, rule=EMAIL), send=True
    )
    run_sender(database, no_mail)
    with TestClient(create_app(no_mail, database), base_url="http://testserver") as client:
        sign_in(client, owner)
        page = client.get(f"/shops/{shop.slug}/campaigns/{campaign.id}").text

    row = re.search(r'<tr><th scope="row">Kept in the outbox</th><td>(\d+) ', page)
    assert row is not None
    assert row.group(1) == "2"
    assert "not sent: no mail server set up." in page
    assert '<th scope="row">Delivered</th>' not in page
