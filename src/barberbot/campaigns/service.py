"""Campaigns: create, check, preview, schedule, cancel. Services flush; the edge commits."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.campaigns import segments, sms, templates
from barberbot.campaigns.errors import Invalid
from barberbot.campaigns.links import Links
from barberbot.campaigns.schemas import CampaignCreate
from barberbot.models import (
    Campaign,
    CampaignSettings,
    CampaignStatus,
    Channel,
    Customer,
    Shop,
)
from barberbot.models.base import utcnow

PROMO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,39}$")


def _check(session: Session, shop: Shop, data: CampaignCreate) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.name.strip() or len(data.name) > 120:
        errors["name"] = "A campaign needs a name of 1 to 120 characters."
    if data.channel not in {c.value for c in Channel}:
        errors["channel"] = f"Unknown channel {data.channel!r}; choose email or sms."
    if segments.get(session, shop, data.segment_id) is None:
        errors["segment_id"] = "No such segment in this shop."
    if data.channel == Channel.EMAIL and not data.subject.strip():
        errors["subject"] = "An e-mail needs a subject."
    if len(data.subject) > templates.SUBJECT_MAX:
        errors["subject"] = f"Keep the subject under {templates.SUBJECT_MAX} characters."
    limit = templates.SMS_MAX if data.channel == Channel.SMS else templates.BODY_MAX
    if not data.body.strip():
        errors["body"] = "The message needs a body."
    elif len(data.body) > limit:
        errors["body"] = f"Keep the message under {limit} characters."
    for field in ("subject", "body"):
        if field not in errors:
            try:
                templates.check(field, getattr(data, field))
            except templates.TemplateInvalid as invalid:
                errors |= invalid.errors
    if data.promo_code is not None and not PROMO_RE.match(data.promo_code):
        errors["promo_code"] = "3 to 40 letters, digits, - or _, like BEARD20."
    for field in ("quiet_start", "quiet_end"):
        hour = getattr(data, field)
        if hour is not None and not 0 <= hour <= 23:
            errors[field] = "An hour from 0 to 23."
    if not 1 <= data.attribution_days <= 365:
        errors["attribution_days"] = "From 1 to 365 days."
    return errors


def create(session: Session, shop: Shop, data: CampaignCreate) -> Campaign:
    errors = _check(session, shop, data)
    if errors:
        raise Invalid(errors)
    campaign = Campaign(
        shop_id=shop.id,
        segment_id=data.segment_id,
        name=data.name.strip(),
        channel=data.channel,
        subject=data.subject,
        body=data.body,
        promo_code=data.promo_code,
        token=secrets.token_urlsafe(16),
        quiet_start=data.quiet_start,
        quiet_end=data.quiet_end,
        attribution_days=data.attribution_days,
    )
    session.add(campaign)
    session.flush()
    return campaign


def get(session: Session, shop: Shop, campaign_id: int) -> Campaign | None:
    campaign = session.get(Campaign, campaign_id)
    return campaign if campaign is not None and campaign.shop_id == shop.id else None


def all_of(session: Session, shop: Shop) -> Sequence[Campaign]:
    return session.scalars(
        select(Campaign).where(Campaign.shop_id == shop.id).order_by(Campaign.id.desc())
    ).all()


def schedule(session: Session, shop: Shop, campaign: Campaign, send_at: datetime | None) -> None:
    """Hand the campaign to the sender, now or at a time (naive = the shop's local time)."""
    if campaign.status != CampaignStatus.DRAFT:
        raise Invalid({"status": f"This campaign is {campaign.status}; only drafts can be sent."})
    when = utcnow()
    if send_at is not None:
        when = send_at if send_at.tzinfo else send_at.replace(tzinfo=ZoneInfo(shop.timezone))
        when = when.astimezone(UTC)
    campaign.status = CampaignStatus.SCHEDULED
    campaign.send_at = when
    session.flush()


def cancel(session: Session, campaign: Campaign) -> None:
    """Stops what has not gone out yet; the sender leaves a cancelled campaign's queue alone."""
    if campaign.status in (CampaignStatus.SENT, CampaignStatus.CANCELLED):
        raise Invalid({"status": f"This campaign is already {campaign.status}."})
    campaign.status = CampaignStatus.CANCELLED
    campaign.finished_at = utcnow()
    session.flush()


def values_for(shop: Shop, campaign: Campaign, customer: Customer, links: Links) -> dict[str, str]:
    """The personal fields; every one is present, so a template never meets a gap."""
    return {
        "first_name": customer.first_name,
        "name": customer.name,
        "shop_name": shop.name,
        "promo_code": campaign.promo_code or "",
        "form_url": links.form_url(shop.slug, campaign.token),
        "unsubscribe_url": links.unsubscribe_url(
            customer.id, Channel(campaign.channel), campaign.id
        ),
    }


def render_for(
    shop: Shop, campaign: Campaign, customer: Customer, links: Links
) -> templates.Rendered:
    rendered = templates.render_message(
        campaign.subject, campaign.body, values_for(shop, campaign, customer, links)
    )
    if campaign.channel == Channel.SMS:
        return templates.Rendered("", sms.with_footer(rendered.body))
    return rendered


def address_of(customer: Customer, channel: str) -> str | None:
    return customer.email if channel == Channel.EMAIL else customer.phone


def sample_customer(
    session: Session, shop: Shop, campaign: Campaign, customer_id: int | None
) -> Customer:
    """The customer a preview is made for: the one asked for, or the segment's first."""
    if customer_id is not None:
        customer = session.get(Customer, customer_id)
        if customer is None or customer.shop_id != shop.id:
            raise Invalid({"customer_id": "No such customer in this shop."})
        return customer
    segment = segments.get(session, shop, campaign.segment_id)
    assert segment is not None
    found = segments.preview(session, shop, segments.rule_of(segment), sample=1).sample
    if not found:
        raise Invalid(
            {"segment_id": "Nobody is in this segment yet, so there is no one to preview."}
        )
    return found[0]


def settings_of(session: Session, shop: Shop) -> CampaignSettings:
    found = session.get(CampaignSettings, shop.id)
    if found is None:
        found = CampaignSettings(shop_id=shop.id, email_double_opt_in=False)
        session.add(found)
        session.flush()
    return found
