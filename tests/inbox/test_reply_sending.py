"""Replies go out through the transport once: threaded, answered to the shop, failures in
the owner's words, an SMS STOP honoured, a stale claim never sent again."""

from __future__ import annotations

import email.policy
import threading
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from barberbot.app import create_app
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.messaging.claims import INTERRUPTED
from barberbot.models import CampaignSettings, InquiryReply, Shop, User
from barberbot.models.base import utcnow
from tests.campaigns.factories import sync
from tests.factories import make_inquiry
from tests.inbox.sending import fresh, queue_reply, run, smtp_settings
from tests.streaming.helpers import wait_until
from tests.support.smtp import SmtpServer


def test_a_reply_arrives_once_threaded_with_the_shop_to_answer(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop,
    owner: User,
) -> None:  # fmt: skip
    inquiry = make_inquiry(session, shop=shop, customer_name="Jo Bloggs", email="jo@x.example")
    first = queue_reply(session, shop, inquiry, "Saturday 10:30 is yours.")
    second = queue_reply(session, shop, inquiry, "See you then.")
    asked = smtp_settings(settings, smtp)

    run(database, asked)
    run(database, asked)  # again: nothing more goes

    received = smtp.to("jo@x.example")
    replies = [m for m in received if m.message["Subject"] == "Your message to King's Cuts"]
    assert len(replies) == 2
    root = f"<inquiry.{inquiry.id}@barberbot.example>"
    for message in replies:
        assert message.message["Reply-To"] == owner.email
        assert message.message["From"] == "King's Cuts <inbox@barberbot.example>"
        assert message.message["In-Reply-To"] == root
        assert message.message["References"] == root
    assert sorted(m.body.strip() for m in replies) == ["Saturday 10:30 is yours.", "See you then."]
    for reply in (first, second):
        fresh(session, reply)
        assert reply.status == "sent"
        assert reply.error is None
        assert reply.sent_at is not None
    ids = {m.message["Message-ID"] for m in replies}
    assert ids == {first.message_id, second.message_id}  # recorded before they went


def test_the_shops_own_reply_address_wins_over_the_owners(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop,
    owner: User,
) -> None:  # fmt: skip
    session.add(CampaignSettings(shop_id=shop.id, reply_to="desk@kings.example"))
    session.commit()
    inquiry = make_inquiry(session, shop=shop, email="jo@x.example")
    queue_reply(session, shop, inquiry, "Hello")

    run(database, smtp_settings(settings, smtp))

    [message] = [m for m in smtp.to("jo@x.example") if m.body.strip() == "Hello"]
    assert message.message["Reply-To"] == "desk@kings.example"


def test_with_no_mail_server_the_reply_lands_in_the_local_outbox(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop,
    owner: User,
) -> None:  # fmt: skip
    inquiry = make_inquiry(session, shop=shop, email="jo@x.example")
    reply = queue_reply(session, shop, inquiry, "Saturday 10:30 is yours.")
    asked = smtp_settings(settings, smtp).model_copy(update={"smtp_host": ""})

    run(database, asked)

    kept = [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        for p in asked.resolved_local_outbox_dir.glob("*.eml")
    ]
    bodies = [m for m in kept if "Saturday 10:30" in str(m)]
    assert len(bodies) == 1
    assert bodies[0]["X-BarberBot-Shop"] == str(shop.id)
    assert smtp.messages() == []
    fresh(session, reply)
    assert reply.status == "sent"


def test_a_refused_address_fails_with_the_reason_in_plain_words(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop
) -> None:
    inquiry = make_inquiry(session, shop=shop, email="nobody@x.example")
    reply = queue_reply(session, shop, inquiry, "Hello")
    smtp.refuse.add("nobody@x.example")

    run(database, smtp_settings(settings, smtp))
    run(database, smtp_settings(settings, smtp))

    fresh(session, reply)
    assert reply.status == "failed"
    assert reply.error == "The mail server refused the address: 550 5.1.1 No such mailbox here"
    assert reply.sent_at is None


def test_a_customer_who_texted_stop_gets_no_sms_reply(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop,
    client: TestClient,
) -> None:  # fmt: skip
    stopped = make_inquiry(session, shop=shop, email=None, phone="+447700900123")
    other = make_inquiry(session, shop=shop, email=None, phone="+447700900999")
    sync(session, shop)
    answer = client.post("/webhooks/sms/inbound", data={"From": "+447700900123", "Body": "STOP"})
    assert answer.status_code == 200
    refused = queue_reply(session, shop, stopped, "Are you still keen?")
    sent = queue_reply(session, shop, other, "Are you still keen?")
    asked = smtp_settings(settings, smtp)

    run(database, asked)

    fresh(session, refused)
    fresh(session, sent)
    assert (refused.status, refused.error) == (
        "failed",
        "This customer texted STOP; they get no more texts from the shop.",
    )
    assert sent.status == "sent"
    texts = list(asked.resolved_local_outbox_dir.glob("*.sms.json"))
    assert len(texts) == 1
    assert "+447700900999" in texts[0].read_text()


def test_a_reply_left_claimed_by_a_dead_sender_is_failed_and_never_sent(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop
) -> None:
    inquiry = make_inquiry(session, shop=shop, email="jo@x.example")
    reply = queue_reply(session, shop, inquiry, "Hello")
    long_ago = utcnow() - timedelta(hours=1)
    session.execute(
        update(InquiryReply)
        .where(InquiryReply.id == reply.id)
        .values(status="sending", claimed_at=long_ago)
    )
    session.commit()

    run(database, smtp_settings(settings, smtp))

    fresh(session, reply)
    assert (reply.status, reply.error) == ("failed", INTERRUPTED)
    assert [m for m in smtp.to("jo@x.example") if m.body.strip() == "Hello"] == []


def test_the_sender_thread_of_serve_sends_replies_too_and_stops_with_the_app(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop
) -> None:
    inquiry = make_inquiry(session, shop=shop, email="jo@x.example")
    reply = queue_reply(session, shop, inquiry, "Saturday 10:30 is yours.")
    asked = smtp_settings(settings, smtp).model_copy(
        update={"send_in_serve": True, "campaign_poll_seconds": 0.05}
    )
    app = create_app(asked, database)

    with TestClient(app):
        wait_until(lambda: len(smtp.to("jo@x.example")) >= 1, 30, "the reply")

    assert not app.state.sender.running
    fresh(session, reply)
    assert reply.status == "sent"
    assert [m.body.strip() for m in smtp.to("jo@x.example")] == ["Saturday 10:30 is yours."]


class _Waits(threading.Event):
    """A stop signal that records each pause the sender takes (and never stops it)."""

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        return False


def test_the_sender_paces_itself_at_the_inbox_send_rate(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop,
    owner: User,
) -> None:  # fmt: skip
    """A flood of inquiries is answered at the configured pace, so a sender in the API's own
    process leaves the captures their share (the bench measures what it costs)."""
    for n in range(3):
        inquiry = make_inquiry(session, shop=shop, email=f"c{n}@x.example")
        queue_reply(session, shop, inquiry, f"Reply {n}")
    paced = smtp_settings(settings, smtp).model_copy(update={"inbox_send_rate": 4})
    stopping = _Waits()

    run(database, paced, stopping=stopping)

    sent = smtp.messages()  # the replies, and the acknowledgements and the owner's notices
    assert sum("Reply" in str(m.message) for m in sent) == 3
    assert stopping.waits.count(0.25) == len(sent)  # a quarter of a second after each one
