"""A bounce report about a campaign message: its recipient is recorded bounced."""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from barberbot.campaigns.dsn import Failure
from barberbot.models import CampaignRecipient, RecipientStatus

log = logging.getLogger("barberbot.campaigns")


class StillSending(Exception):
    """The report came before the sender recorded its message sent: ask for it again later."""


def record(session: Session, recipient_id: int, failures: list[Failure]) -> bool:
    """Marks a sent message bounced if the report says it failed for good (5.x.x); a delay
    (4.x.x) is only logged. True if the recipient was marked. Flushes; the caller commits.
    Raises StillSending if the message is not recorded sent yet."""
    permanent = next((f for f in failures if f.permanent), None)
    if permanent is None:
        for failure in failures:
            log.info("bounce report not permanent, ignored",
                     extra={"recipient_id": recipient_id, "status": failure.status})  # fmt: skip
        return False
    marked = session.execute(
        update(CampaignRecipient)
        .where(
            CampaignRecipient.id == recipient_id,
            CampaignRecipient.status == RecipientStatus.SENT,
        )
        .values(status=RecipientStatus.BOUNCED, reason=permanent.reason)
    )
    session.flush()
    if marked.rowcount:  # type: ignore[attr-defined]
        return True
    _not_marked(session, recipient_id)
    return False


def _not_marked(session: Session, recipient_id: int) -> None:
    """Logs why a report marked nothing; raises StillSending if only the sender's SENT is
    missing (SENT itself: written since the update looked)."""
    status = session.scalar(
        select(CampaignRecipient.status).where(CampaignRecipient.id == recipient_id)
    )
    if status in (RecipientStatus.SENDING, RecipientStatus.SENT):
        raise StillSending(recipient_id)
    log.info("bounce report on a message not sent, ignored",
             extra={"recipient_id": recipient_id, "status": status})  # fmt: skip
