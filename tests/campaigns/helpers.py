"""Reading what arrived: unsubscribe links in bodies, recipients' states."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Campaign, CampaignRecipient

UNSUBSCRIBE_RE = re.compile(r"http://testserver(/u/[\w.\-]+)")


def unsubscribe_path(text: str) -> str:
    found = UNSUBSCRIBE_RE.search(text)
    assert found, f"no unsubscribe link in {text!r}"
    return found.group(1)


def states(session: Session, campaign: Campaign) -> dict[str, str]:
    """address -> status of each recipient of the campaign."""
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    rows = session.execute(
        select(CampaignRecipient.address, CampaignRecipient.status).where(
            CampaignRecipient.campaign_id == campaign.id
        )
    )
    return {address: status for address, status in rows}


def run_sender(database: Database, settings: Settings, **kwargs: object) -> None:
    from barberbot.campaigns.sender import Sender

    Sender(database, settings, **kwargs).run(until_idle=True)  # type: ignore[arg-type]
