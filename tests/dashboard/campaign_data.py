"""Campaigns with every kind of outcome, and the numbers the dashboard must show for them.

The expected numbers are counted by hand from the rows made here (see each comment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from barberbot.models import (
    Campaign,
    CampaignAttribution,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
    Shop,
)
from tests.campaigns.factories import (
    customer_by_name,
    days_ago,
    make_campaign,
    make_person,
    make_segment,
    sync,
)
from tests.factories import make_inquiry, make_shop

PEOPLE = ("Al", "Bo", "Cy", "Di", "Ed")


@dataclass(frozen=True)
class Made:
    winter: Campaign  # email, BEARD20, started 2 days ago, every outcome
    spring: Campaign  # sms draft: nothing yet
    summer: Campaign  # email, BEARD20 too, an earlier 7-day window
    elsewhere: Campaign  # another shop's, BEARD20 too, the same window as winter's


# what the dashboard shows for each (recipients, sent, delivered, failed, bounced,
# unsubscribed, inquiries by link, inquiries by code)
WINTER = {
    "recipients": 5,  # Al, Bo, Cy, Di, Ed
    "sent": 3,  # Al, Bo, Ed (Cy was refused at RCPT, Di failed)
    "delivered": 2,  # Al, Ed: Bo's message bounced back later
    "failed": 1,  # Di
    "bounced": 2,  # Bo (late, by DSN) and Cy (at RCPT)
    "unsubscribed": 1,  # Ed, after it arrived
    "attributed_by_link": 2,  # through the link: one plain, one quoting the code as well
    "attributed_by_promo_code": 1,  # quoting beard20 in the window, not by the link
}
SPRING = dict.fromkeys(WINTER, 0)
SUMMER = dict(SPRING, attributed_by_promo_code=1)  # the one quote 25 days ago


def _recipient(
    session: Session,
    campaign: Campaign,
    shop: Shop,
    name: str,
    status: RecipientStatus,
    *,
    sent: datetime | None = None,
    unsubscribed: datetime | None = None,
) -> None:
    customer = customer_by_name(session, shop, name)
    session.add(
        CampaignRecipient(
            campaign_id=campaign.id, customer_id=customer.id, address=f"{name}@x.example",
            status=status, sent_at=sent, unsubscribed_at=unsubscribed,
            reason=None if status in (RecipientStatus.SENT,) else "550 5.1.1 no such user",
        )
    )  # fmt: skip


def _started(session: Session, campaign: Campaign, days: float, window: int) -> None:
    campaign.status = CampaignStatus.SENT
    campaign.started_at = days_ago(days)
    campaign.attribution_days = window


def make_campaigns(session: Session, shop: Shop) -> Made:
    for name in PEOPLE:
        make_person(session, shop=shop, name=name, email=f"{name.lower()}@x.example")
    sync(session, shop)
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "email"})
    winter = make_campaign(session, shop=shop, segment=segment, name="Winter", promo_code="BEARD20")
    spring = make_campaign(session, shop=shop, segment=segment, name="Spring", channel="sms")
    summer = make_campaign(session, shop=shop, segment=segment, name="Summer", promo_code="BEARD20")
    other = make_shop(session, slug="rivals", name="Rival Cuts")
    rival_segment = make_segment(session, shop=other, rule={"field": "consent", "channel": "email"})
    elsewhere = make_campaign(
        session, shop=other, segment=rival_segment, name="Rival offer", promo_code="BEARD20"
    )

    _started(session, winter, 2, 14)
    _started(session, summer, 30, 7)
    _started(session, elsewhere, 2, 14)
    sent = days_ago(2)
    _recipient(session, winter, shop, "Al", RecipientStatus.SENT, sent=sent)
    _recipient(session, winter, shop, "Bo", RecipientStatus.BOUNCED, sent=sent)
    _recipient(session, winter, shop, "Cy", RecipientStatus.BOUNCED)
    _recipient(session, winter, shop, "Di", RecipientStatus.FAILED)
    _recipient(session, winter, shop, "Ed", RecipientStatus.SENT, sent=sent, unsubscribed=sent)
    session.commit()

    linked = make_inquiry(session, shop=shop, message="Hi", received_at=days_ago(1))
    both = make_inquiry(session, shop=shop, message="BEARD20!", received_at=days_ago(1))
    for inquiry in (linked, both):
        session.add(CampaignAttribution(inquiry_id=inquiry.id, campaign_id=winter.id))
    make_inquiry(session, shop=shop, message="code beard20 please", received_at=days_ago(1))
    make_inquiry(session, shop=shop, message="beard20 in summer", received_at=days_ago(25))
    make_inquiry(session, shop=shop, message="no code", received_at=days_ago(1))
    make_inquiry(session, shop=other, message="BEARD20 at the rival", received_at=days_ago(1))
    session.commit()
    return Made(winter, spring, summer, elsewhere)
