"""A campaign's results: what happened to each message, and the inquiries it brought.

Counted by the database in three queries, for one campaign (its page, the API) or many (the
dashboard): the recipients grouped by campaign, the tracked-link attributions, and one pass
over the inquiries in the promo codes' attribution windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from barberbot.campaigns.schemas import Results
from barberbot.models import (
    Campaign,
    CampaignAttribution,
    CampaignRecipient,
    Inquiry,
    RecipientStatus,
)

R = CampaignRecipient


def attribution_window(campaign: Campaign) -> tuple[datetime, datetime] | None:
    if campaign.started_at is None:
        return None
    return campaign.started_at, campaign.started_at + timedelta(days=campaign.attribution_days)


def results(session: Session, campaign: Campaign) -> Results:
    failures = dict(
        session.execute(
            select(R.reason, func.count())
            .where(
                R.campaign_id == campaign.id,
                R.status.in_([RecipientStatus.FAILED, RecipientStatus.BOUNCED]),
            )
            .group_by(R.reason)
        ).all()
    )
    return overview(session, [campaign])[campaign.id].model_copy(
        update={"failures": {str(reason): count for reason, count in failures.items()}}
    )


def recent(session: Session, shop_ids: Sequence[int], limit: int = 20) -> Sequence[Campaign]:
    """The shops' newest campaigns first."""
    return session.scalars(
        select(Campaign)
        .where(Campaign.shop_id.in_(shop_ids))
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
        .limit(limit)
    ).all()


def overview(session: Session, campaigns: Sequence[Campaign]) -> dict[int, Results]:
    """Each campaign's results but the failure reasons, by campaign id."""
    if not campaigns:
        return {}
    tallies = {
        row.campaign_id: row
        for row in session.execute(
            select(R.campaign_id, *_tally())
            .where(R.campaign_id.in_([c.id for c in campaigns]))
            .group_by(R.campaign_id)
        )
    }
    attributed = _attributed(session, campaigns)
    return {c.id: _results(c, tallies.get(c.id), *attributed.get(c.id, (0, 0))) for c in campaigns}


def _is(*states: RecipientStatus, also: ColumnElement[bool] | None = None) -> Any:
    """How many recipients are in one of `states` (and `also`)."""
    test = R.status.in_(states) if also is None else and_(R.status.in_(states), also)
    return func.coalesce(func.sum(case((test, 1), else_=0)), 0)


def _tally() -> list[Any]:
    return [
        func.count().label("recipients"),
        _is(RecipientStatus.QUEUED, RecipientStatus.SENDING).label("waiting"),
        func.count(R.sent_at).label("sent"),
        _is(RecipientStatus.FAILED).label("failed"),
        _is(RecipientStatus.BOUNCED).label("bounced"),
        # a DSN that came back after the server had accepted the message (see bounces.py)
        _is(RecipientStatus.BOUNCED, also=R.sent_at.is_not(None)).label("bounced_late"),
        _is(RecipientStatus.UNSUBSCRIBED).label("withdrawn"),
        func.count(R.unsubscribed_at).label("unsubscribed"),
    ]


def _results(campaign: Campaign, tally: Any, by_link: int, by_code: int) -> Results:
    window = attribution_window(campaign)
    counts = {"recipients": 0, "waiting": 0, "sent": 0, "failed": 0, "bounced": 0,
              "bounced_late": 0, "withdrawn": 0, "unsubscribed": 0}  # fmt: skip
    if tally is not None:
        counts = {key: int(getattr(tally, key)) for key in counts}
    return Results(
        recipients=counts["recipients"],
        waiting=counts["waiting"],
        sent=counts["sent"],
        # accepted by the SMTP server or SMS provider, and not bounced since
        delivered=counts["sent"] - counts["bounced_late"],
        failed=counts["failed"],
        bounced=counts["bounced"],
        unsubscribed=max(counts["unsubscribed"], counts["withdrawn"]),
        attributed_inquiries=by_link + by_code,
        attributed_by_link=by_link,
        attributed_by_promo_code=by_code,
        attribution_ends=window[1] if window else None,
        failures={},
    )


def _attributed(session: Session, campaigns: Sequence[Campaign]) -> dict[int, tuple[int, int]]:
    """Per campaign: inquiries in its window through its tracked link, and (the others)
    quoting its promo code."""
    windows = {c.id: w for c in campaigns if (w := attribution_window(c)) is not None}
    within = {
        c.id: and_(
            Inquiry.shop_id == c.shop_id,
            Inquiry.received_at >= windows[c.id][0],
            Inquiry.received_at < windows[c.id][1],
        )
        for c in campaigns
        if c.id in windows
    }
    if not within:
        return {}
    by_link = _by_link(session, within)
    by_code = _by_code(session, [c for c in campaigns if c.id in within and c.promo_code], within)
    return {key: (by_link.get(key, 0), by_code.get(key, 0)) for key in within}


def _by_link(session: Session, within: dict[int, ColumnElement[bool]]) -> dict[int, int]:
    """From the campaigns' attributions (few, by campaign id), each checked in its window."""
    came_by = CampaignAttribution.campaign_id
    in_window = case(*((and_(came_by == key, test), 1) for key, test in within.items()), else_=0)
    rows = session.execute(
        select(came_by, func.sum(in_window))
        .join(Inquiry, Inquiry.id == CampaignAttribution.inquiry_id)
        .where(came_by.in_(list(within)))
        .group_by(came_by)
    )
    return {key: int(count or 0) for key, count in rows}


def _by_code(
    session: Session, coded: Sequence[Campaign], within: dict[int, ColumnElement[bool]]
) -> dict[int, int]:
    """One pass over the inquiries in the coded campaigns' windows; the message is searched
    only inside each window (a nested CASE: SQL does not short-circuit AND). An inquiry has
    at most one attribution (its primary key): the outer join tells whose link it came by."""
    if not coded:
        return {}
    came_by = CampaignAttribution.campaign_id
    columns = []
    for c in coded:
        assert c.promo_code is not None
        quotes = func.lower(Inquiry.message).contains(c.promo_code.lower(), autoescape=True)
        other = or_(came_by.is_(None), came_by != c.id)
        columns.append(
            func.sum(case((within[c.id], case((and_(quotes, other), 1), else_=0)), else_=0))
        )
    row = session.execute(
        select(*columns)
        .select_from(Inquiry)
        .outerjoin(CampaignAttribution, CampaignAttribution.inquiry_id == Inquiry.id)
        .where(_spans(coded))
    ).one()
    return {c.id: int(count or 0) for c, count in zip(coded, row, strict=True)}


def _spans(campaigns: Sequence[Campaign]) -> ColumnElement[bool]:
    """Per shop, one range from the first window's start to the last one's end: read once
    on the (shop, received_at) index, where an OR of overlapping windows reads rows again."""
    spans: dict[int, tuple[datetime, datetime]] = {}
    for c in campaigns:
        window = attribution_window(c)
        assert window is not None
        start, end = window
        low, high = spans.get(c.shop_id, window)
        spans[c.shop_id] = (min(low, start), max(high, end))
    return or_(
        *(
            and_(Inquiry.shop_id == shop, Inquiry.received_at >= low, Inquiry.received_at < high)
            for shop, (low, high) in spans.items()
        )
    )
