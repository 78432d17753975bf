"""A campaign's results: what happened to each message, and the inquiries it brought."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.campaigns.schemas import Results
from barberbot.models import (
    Campaign,
    CampaignAttribution,
    CampaignRecipient,
    Inquiry,
    RecipientStatus,
)


def attribution_window(campaign: Campaign) -> tuple[datetime, datetime] | None:
    if campaign.started_at is None:
        return None
    return campaign.started_at, campaign.started_at + timedelta(days=campaign.attribution_days)


def results(session: Session, campaign: Campaign) -> Results:
    by_status = dict(
        session.execute(
            select(CampaignRecipient.status, func.count())
            .where(CampaignRecipient.campaign_id == campaign.id)
            .group_by(CampaignRecipient.status)
        ).all()
    )
    sent, unsubscribed = session.execute(
        select(
            func.count(CampaignRecipient.sent_at),
            func.count(CampaignRecipient.unsubscribed_at),
        ).where(CampaignRecipient.campaign_id == campaign.id)
    ).one()
    failures = dict(
        session.execute(
            select(CampaignRecipient.reason, func.count())
            .where(
                CampaignRecipient.campaign_id == campaign.id,
                CampaignRecipient.status.in_([RecipientStatus.FAILED, RecipientStatus.BOUNCED]),
            )
            .group_by(CampaignRecipient.reason)
        ).all()
    )
    by_link, by_code = _attributed(session, campaign)
    window = attribution_window(campaign)
    bounced = by_status.get(RecipientStatus.BOUNCED, 0)
    return Results(
        recipients=sum(by_status.values()),
        waiting=by_status.get(RecipientStatus.QUEUED, 0)
        + by_status.get(RecipientStatus.SENDING, 0),
        sent=sent,
        delivered=sent,  # SMTP/provider accepted it; asynchronous bounces are not read (yet)
        failed=by_status.get(RecipientStatus.FAILED, 0),
        bounced=bounced,
        unsubscribed=max(unsubscribed, by_status.get(RecipientStatus.UNSUBSCRIBED, 0)),
        attributed_inquiries=by_link + by_code,
        attributed_by_link=by_link,
        attributed_by_promo_code=by_code,
        attribution_ends=window[1] if window else None,
        failures={str(reason): count for reason, count in failures.items()},
    )


def _attributed(session: Session, campaign: Campaign) -> tuple[int, int]:
    """Inquiries in the window through the tracked link, and (the others) quoting the code."""
    window = attribution_window(campaign)
    if window is None:
        return 0, 0
    start, end = window
    in_window = [
        Inquiry.shop_id == campaign.shop_id,
        Inquiry.received_at >= start,
        Inquiry.received_at < end,
    ]
    linked = select(CampaignAttribution.inquiry_id).where(
        CampaignAttribution.campaign_id == campaign.id
    )
    by_link = session.scalar(select(func.count()).where(*in_window, Inquiry.id.in_(linked))) or 0
    if not campaign.promo_code:
        return by_link, 0
    code = campaign.promo_code.lower()
    by_code = (
        session.scalar(
            select(func.count()).where(
                *in_window,
                func.lower(Inquiry.message).contains(code, autoescape=True),
                Inquiry.id.not_in(linked),
            )
        )
        or 0
    )
    return by_link, by_code
