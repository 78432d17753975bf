"""The customer's "we got your message": once, threaded with the replies, never for inquiries
from before it was on, never where the shop turned it off, never on the capture path."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.inbox.preferences import settings_of
from barberbot.models import InquiryAcknowledgement, Shop, Source, User
from barberbot.models.base import utcnow
from tests.factories import inquiry_payload, make_inquiry
from tests.inbox.sending import queue_reply, run, smtp_settings
from tests.support.smtp import SmtpServer

SUBJECT = "We got your message - King's Cuts"


def acks(session: Session) -> list[tuple[str, str | None]]:
    session.rollback()
    rows = session.execute(select(InquiryAcknowledgement.status, InquiryAcknowledgement.error))
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_new_inquiry_is_acknowledged_once_and_replies_thread_on_it(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop,
    owner: User,
) -> None:  # fmt: skip
    inquiry = make_inquiry(session, shop=shop, customer_name="Jo Bloggs", email="jo@x.example")
    asked = smtp_settings(settings, smtp)

    run(database, asked)
    run(database, asked)

    [ack] = [m for m in smtp.to("jo@x.example") if m.message["Subject"] == SUBJECT]
    assert "we usually answer within 4 hours" in ack.body
    assert ack.body.startswith("Hello Jo,")
    assert ack.message["Reply-To"] == owner.email
    root = f"<inquiry.{inquiry.id}@barberbot.example>"
    assert ack.message["Message-ID"] == root
    assert acks(session) == [("sent", None)]

    queue_reply(session, shop, inquiry, "Saturday?")
    run(database, asked)
    [reply] = [m for m in smtp.to("jo@x.example") if m.body.strip() == "Saturday?"]
    assert reply.message["In-Reply-To"] == root  # the customer's mail app threads them


def test_the_shops_hours_are_in_the_acknowledgement(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop
) -> None:
    settings_of(session, shop).answer_within_hours = 2
    session.commit()
    make_inquiry(session, shop=shop, email="jo@x.example")

    run(database, smtp_settings(settings, smtp))

    [ack] = smtp.to("jo@x.example")
    assert "within 2 hours" in ack.body


def test_inquiries_from_before_acknowledgements_were_on_get_none(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop
) -> None:
    """As after the upgrade: the migration puts every shop's marks at its own time."""
    make_inquiry(session, shop=shop, email="old@x.example")
    marks = settings_of(session, shop)
    marks.acknowledge_since = marks.scanned_at = utcnow()
    session.commit()
    make_inquiry(session, shop=shop, email="new@x.example")

    run(database, smtp_settings(settings, smtp))

    assert smtp.to("old@x.example") == []
    assert len(smtp.to("new@x.example")) == 1


def test_a_shop_that_turned_them_off_sends_none(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop
) -> None:
    settings_of(session, shop).acknowledge = False
    session.commit()
    make_inquiry(session, shop=shop, email="jo@x.example")

    run(database, smtp_settings(settings, smtp))

    assert smtp.to("jo@x.example") == []
    assert acks(session) == []


def test_an_inquiry_answered_before_the_sender_came_round_gets_no_acknowledgement(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop
) -> None:
    inquiry = make_inquiry(session, shop=shop, email="jo@x.example")
    queue_reply(session, shop, inquiry, "Saturday?")

    run(database, smtp_settings(settings, smtp))

    assert [m.body.strip() for m in smtp.to("jo@x.example")] == ["Saturday?"]
    assert acks(session) == [("skipped", "Not sent: the inquiry was answered first.")]


def test_imports_and_inquiries_with_only_a_phone_get_none(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop
) -> None:
    make_inquiry(session, shop=shop, email="imp@x.example", source=Source.IMPORT)
    make_inquiry(session, shop=shop, email=None, phone="+447700900123")

    run(database, smtp_settings(settings, smtp))

    assert smtp.messages() == []
    assert acks(session) == []


def test_capture_works_with_the_sender_stopped_and_queues_nothing_itself(
    session: Session, database: Database, settings: Settings, smtp: SmtpServer, shop: Shop,
    client: TestClient, owner_headers: dict[str, str],
) -> None:  # fmt: skip
    """No sender runs in this app (tests): capture stores the inquiry, and nothing of the
    acknowledgement happens until the sender's next round."""
    payload = inquiry_payload(email="jo@x.example")
    response = client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=payload, headers=owner_headers
    )

    assert response.status_code == 201, response.text
    assert session.scalar(select(func.count()).select_from(InquiryAcknowledgement)) == 0
    assert smtp.messages() == []
    run(database, smtp_settings(settings, smtp), now=lambda: utcnow() + timedelta(seconds=1))
    assert len(smtp.to("jo@x.example")) == 1
