"""A bounce report about a campaign message: its recipient is recorded bounced."""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.orm import Session

from barberbot.campaigns.dsn import Failure
from barberbot.models import CampaignRecipient, RecipientStatus

log = logging.getLogger("barberbot.campaigns")


def record(session: Session, recipient_id: int, failures: list[Failure]) -> bool:
    """Marks a sent message bounced if the report says it failed for good (5.x.x); a delay
    (4.x.x) is only logged. True if the recipient was marked. Flushes; the caller commits."""
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
    return bool(marked.rowcount)  # type: ignore[attr-defined]
