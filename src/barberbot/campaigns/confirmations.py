"""Double opt-in: one confirmation e-mail per customer whose e-mail consent is pending."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Select, select, update

from barberbot.campaigns.links import Links
from barberbot.core.db import Database
from barberbot.messaging.errors import SendFailed, Unavailable
from barberbot.messaging.messages import Email
from barberbot.messaging.transport import Transport
from barberbot.models import ConsentState, Customer, Shop

log = logging.getLogger("barberbot.campaigns")
BATCH = 100


def due() -> Select[int]:
    """Pending customers not yet asked: read on ix_customers_email_consent_confirmation."""
    return (
        select(Customer.id)
        .where(
            Customer.email_consent == ConsentState.PENDING,
            Customer.confirmation_sent_at.is_(None),
            Customer.email.is_not(None),
        )
        .limit(BATCH)
    )


class Confirmations:
    """Sent at most once: `confirmation_sent_at` is set (committed) before the e-mail goes."""

    def __init__(
        self, db: Database, transport: Transport, links: Links, now: Callable[[], datetime]
    ) -> None:
        self.db = db
        self.transport = transport
        self.links = links
        self.now = now

    def send_due(self, throttle: Callable[[], None], stopping: threading.Event) -> bool:
        """Double opt-in: one confirmation e-mail per pending customer, at most once."""
        with self.db.transaction() as session:
            pending = list(session.scalars(due()))
        for customer_id in pending:
            if stopping.is_set():
                break
            throttle()
            with self.db.transaction() as session:
                won = session.execute(
                    update(Customer)
                    .where(Customer.id == customer_id, Customer.confirmation_sent_at.is_(None))
                    .values(confirmation_sent_at=self.now())
                )
                customer = session.get(Customer, customer_id)
                shop = session.get(Shop, customer.shop_id) if customer else None
            if won.rowcount != 1 or customer is None or shop is None:  # type: ignore[attr-defined]
                continue
            assert customer.email is not None
            url = self.links.confirm_url(customer.id, customer.email)
            body = (
                f"Hello {customer.first_name},\n\nYou asked {shop.name} to send you offers and "
                f"news by e-mail. Please confirm with this link:\n\n{url}\n\n"
                "If that was not you, ignore this message and you will hear nothing more.\n"
            )
            try:
                subject = f"Please confirm: news from {shop.name}"
                self.transport.send(Email(customer.email, subject, body, shop_id=shop.id))
            except SendFailed as failed:
                log.warning("confirmation not sent", extra={"reason": failed.reason})
            except Unavailable:
                with self.db.transaction() as session:
                    session.execute(
                        update(Customer)
                        .where(Customer.id == customer_id)
                        .values(confirmation_sent_at=None)
                    )
                return False
        return bool(pending)
