"""Helpers of the sending tests: a real SMTP server, the inbox's sender run until idle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.inbox import replies
from barberbot.inbox.sender import InboxSender
from barberbot.models import Inquiry, InquiryReply, Shop
from barberbot.models.base import utcnow
from tests.support.smtp import SmtpServer


def smtp_settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "public_url": "http://testserver",
            "mail_from": "BarberBot <inbox@barberbot.example>",
            "inbox_scan_lag_seconds": 0,
        }
    )


def run(
    database: Database, settings: Settings, now: Callable[[], datetime] = utcnow, **kwargs: object
) -> int:
    """The sender's rounds until one does nothing; how many rounds did something."""
    sender = InboxSender(database, settings, now=now, **kwargs)  # type: ignore[arg-type]
    rounds = 0
    try:
        while sender.cycle():
            rounds += 1
            assert rounds < 50, "the sender never settles"
    finally:
        sender.close()
    return rounds


def queue_reply(session: Session, shop: Shop, inquiry: Inquiry, body: str) -> InquiryReply:
    reply = replies.queue(session, shop, inquiry, None, body=body)
    session.commit()
    return reply


def fresh(session: Session, row: object) -> None:
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    session.refresh(row)
