"""The inbox's sending, a round at a time in the background sender's loop (`barberbot
campaigns run`, or the sender thread of `serve`): replies, acknowledgements, notifications.

Every message is sent with messaging/claims.py's guarantee (claimed and committed first, a
stale claim recorded interrupted, never sent twice). Acknowledgements and notifications are
queued here too, by the scan of each shop's new inquiries: the capture path never waits for
any of it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.customers.service import table_of
from barberbot.inbox import (
    acknowledgements,
    notifications,
    outgoing,
    overdue,
    overdue_reminders,
    scan,
)
from barberbot.inbox.preferences import settings_of
from barberbot.messaging.claims import Claims, Composed, Cycler, Ready, Refused, send_each
from barberbot.messaging.errors import Unavailable
from barberbot.messaging.messages import Email, Sms, domain_of, new_message_id
from barberbot.messaging.transport import EmailBackend, SmsBackend, transport_for
from barberbot.models import (
    Channel,
    InboxNotification,
    Inquiry,
    InquiryAcknowledgement,
    InquiryReply,
    ReplyStatus,
    Shop,
)
from barberbot.models.base import utcnow

log = logging.getLogger("barberbot.inbox")
BATCH = 100  # messages of each kind a round
HOUSEKEEPING_SECONDS = 1.0
NO_EMAIL = "Not sent: the inquiry has no e-mail address any more."
NO_PHONE = "Not sent: the inquiry has no phone number any more."


class InboxSender:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        mailer: EmailBackend | None = None,
        sms: SmsBackend | None = None,
        now: Callable[[], datetime] = utcnow,
        stopping: threading.Event | None = None,
        due_at: overdue_reminders.DueAt | None = None,
    ) -> None:
        """`due_at`: when an inquiry is overdue (default: the shop's response target, in
        working hours, inbox/overdue.py)."""
        self.db = db
        self.settings = settings
        self.transport = transport_for(settings, email=mailer, sms=sms)
        self.domain = domain_of(settings.mail_from)
        self.base = settings.public_url or f"http://{settings.host}:{settings.port}"
        self.now = now
        self.stopping = stopping or threading.Event()
        self.due_at = due_at or overdue.due_at
        rate = settings.inbox_send_rate
        self.pause = 1 / rate if rate else 0.0
        self._housekept: float | None = None  # when new work was last looked for
        timeout = settings.campaign_claim_timeout_seconds
        self.replies, self.acks, self.notes = (
            Claims(db, table_of(model), timeout_seconds=timeout, now=now)
            for model in (InquiryReply, InquiryAcknowledgement, InboxNotification)
        )

    def cycle(self) -> bool:
        worked = False
        if self._housekeeping_due():
            for claims in (self.replies, self.acks, self.notes):
                worked |= claims.expire()
            worked |= self.queue_due()
        kinds: list[tuple[Claims, Callable[[Session, int], Composed]]] = [
            (self.replies, self.compose_reply),
            (self.acks, lambda s, i: acknowledgements.compose(s, i, self.domain)),
            (self.notes, lambda s, i: notifications.compose(s, i, self.base)),
        ]
        try:
            for claims, compose in kinds:
                worked |= send_each(
                    claims,
                    self.transport,
                    claims.queued(BATCH),
                    compose,
                    self.stopping,
                    pause=self.pause,
                )
        except Unavailable as error:  # nothing went: the rest waits for the next round
            log.warning("transport unavailable", extra={"error": str(error)})
        return worked

    def _housekeeping_due(self) -> bool:
        """Looking for new work (stale claims, new inquiries, digests, reminders) writes, and
        on SQLite a write takes the lock the captures' batches need: at most once every
        HOUSEKEEPING_SECONDS, however busy the sending keeps the loop."""
        now = time.monotonic()
        if self._housekept is not None and now - self._housekept < HOUSEKEEPING_SECONDS:
            return False
        self._housekept = now
        return True

    def claims_open(self) -> bool:
        return any(claims.open() for claims in (self.replies, self.acks, self.notes))

    def close(self) -> None:
        self.transport.close()

    # -- queueing: acknowledgements, notifications, reminders --------------------------------

    def queue_due(self) -> bool:
        """Each shop's new inquiries looked at once, in its own transaction."""
        now = self.now()
        upto = now - timedelta(seconds=self.settings.inbox_scan_lag_seconds)
        with self.db.transaction() as session:
            shop_ids = list(session.scalars(select(Shop.id).order_by(Shop.id)))
        worked = False
        for shop_id in shop_ids:
            if self.stopping.is_set():
                break
            with self.db.transaction() as session:
                shop = session.get(Shop, shop_id)
                if shop is None:
                    continue
                marks = settings_of(session, shop)
                worked |= scan.scan_shop(session, shop, marks, upto)
                worked |= notifications.queue_digests(session, shop, marks, now)
                worked |= overdue_reminders.queue(session, shop, marks, now, self.due_at)
        return worked

    # -- replies ---------------------------------------------------------------------------

    def compose_reply(self, session: Session, reply_id: int) -> Composed:
        reply = session.get(InquiryReply, reply_id)
        if reply is None or reply.status != ReplyStatus.QUEUED:
            return None
        inquiry = session.get(Inquiry, reply.inquiry_id)
        shop = session.get(Shop, reply.shop_id)
        if inquiry is None or shop is None:
            return None
        if reply.channel == Channel.EMAIL:
            if not inquiry.email:
                return Refused(NO_EMAIL)
            message_id = new_message_id(self.domain)
            email = Email(
                inquiry.email, reply.subject, reply.body,
                reply_to=outgoing.reply_to(session, shop),
                headers=outgoing.threading_headers(inquiry, self.domain),
                shop_id=shop.id, message_id=message_id, sender_name=shop.name,
            )  # fmt: skip
            return Ready(email, {"message_id": message_id})
        if not inquiry.phone:
            return Refused(NO_PHONE)
        if outgoing.texted_stop(session, shop, inquiry.phone):
            return Refused(outgoing.STOPPED)
        return Ready(Sms(inquiry.phone, reply.body, shop_id=shop.id))


def inbox_sending(db: Database, settings: Settings) -> Callable[[threading.Event], list[Cycler]]:
    """For the campaign sender's loop: the inbox's sender, stopped with it."""
    return lambda stopping: [InboxSender(db, settings, stopping=stopping)]
