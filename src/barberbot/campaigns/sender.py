"""The background sender (`barberbot campaigns run`): throttled, crash-safe, consent-checked.

The guarantee: nobody gets the same campaign twice, whatever crashes.
- Recipients are picked once, in one transaction with the campaign's start, into
  campaign_recipients, unique on (campaign, customer).
- Each message is claimed before it is sent: queued -> sending is committed first, then the
  message goes out, then sent / failed / bounced is committed. Only `queued` rows are
  claimed, so a row is handed to a transport at most once, by one sender.
- A crash between the claim and the record leaves the row `sending`: the message may or may
  not have gone out. Once the claim is older than BARBERBOT_CAMPAIGN_CLAIM_TIMEOUT_SECONDS it
  is recorded `failed` ("interrupted") and never sent again. So a crash can cost at most one
  message per running sender (at most once), never a duplicate. The throttle's wait comes
  before the claim, so the window is one SMTP or HTTP exchange long.
- Consent is read again at the claim: an unsubscribe is effective for every message not yet
  claimed (the row becomes `unsubscribed`).
- The transport being down (nothing sent) hands the claim back to `queued`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, literal, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from barberbot.campaigns import customers, segments, service, sql
from barberbot.campaigns.confirmations import Confirmations
from barberbot.campaigns.delivery import SendFailed, Unavailable
from barberbot.campaigns.email import Email, Mailer, SmtpMailer
from barberbot.campaigns.links import Links
from barberbot.campaigns.rules import RuleInvalid
from barberbot.campaigns.sms import SmsProvider, provider_for
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import (
    Campaign,
    CampaignRecipient,
    CampaignSettings,
    CampaignStatus,
    Channel,
    ConsentState,
    Customer,
    RecipientStatus,
    Segment,
    Shop,
)
from barberbot.models.base import utcnow

log = logging.getLogger("barberbot.campaigns")
INTERRUPTED = "interrupted while sending (sender stopped); not sent again in case it arrived"


@dataclass(frozen=True)
class Claim:
    recipient_id: int
    customer: Customer
    address: str


def base_url(settings: Settings) -> str:
    return settings.public_url or f"http://{settings.host}:{settings.port}"


def in_quiet_hours(now: datetime, zone: ZoneInfo, start: int | None, end: int | None) -> bool:
    if start is None or end is None or start == end:
        return False
    hour = now.astimezone(zone).hour
    return start <= hour < end if start < end else hour >= start or hour < end


def consenting(customer: Customer, channel: str) -> bool:
    if channel == Channel.EMAIL:
        return customer.email_consent == ConsentState.GRANTED and bool(customer.email)
    return customer.sms_consent == ConsentState.GRANTED and bool(customer.phone)


class Sender:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        mailer: Mailer | None = None,
        sms: SmsProvider | None = None,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.settings = settings
        self.mailer = mailer or SmtpMailer(settings)
        self.sms = sms or provider_for(settings)
        self._owned = (mailer is None, sms is None)  # close only what it opened
        self.links = Links(settings.resolved_secret_key, base_url(settings))
        self.confirmations = Confirmations(db, self.mailer, self.links, now)
        self.now = now
        rate = settings.campaign_send_rate
        self.interval = 1 / rate if rate > 0 else 0.0
        self._next_at = 0.0
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run(self, *, until_idle: bool = False) -> None:
        log.info("campaign sender started", extra={"rate": self.settings.campaign_send_rate})
        try:
            while not self._stopping.is_set():
                try:
                    worked = self.cycle()
                except DBAPIError as error:  # the database is away or busy: try again later
                    log.warning("campaign sender cycle failed", extra={"error": str(error)})
                    self._stopping.wait(self.settings.campaign_poll_seconds)
                    continue
                if until_idle and not worked and not self._claims_open():
                    return
                if not worked:
                    self._stopping.wait(self.settings.campaign_poll_seconds)
        finally:
            self.close()
            log.info("campaign sender stopped")

    def close(self) -> None:
        if self._owned[0]:
            self.mailer.close()
        if self._owned[1]:
            self.sms.close()

    def cycle(self) -> bool:
        """One pass over everything due; True if it did anything."""
        worked = self.start_due()
        worked |= self._expire_claims()
        worked |= self.confirmations.send_due(self._throttle, self._stopping)
        with self.db.transaction() as session:
            sending = list(
                session.scalars(
                    select(Campaign.id)
                    .where(Campaign.status == CampaignStatus.SENDING)
                    .order_by(Campaign.id)
                )
            )
        for campaign_id in sending:
            if self._stopping.is_set():
                break
            try:
                worked |= self._send_campaign(campaign_id)
            except Unavailable as error:
                log.warning("transport unavailable", extra={"error": str(error)})
                break
        self._finish_done()
        return worked

    # -- starting: pick the recipients once -------------------------------------------------

    def start_due(self) -> bool:
        with self.db.transaction() as session:
            due = list(
                session.scalars(
                    select(Campaign.id).where(
                        Campaign.status == CampaignStatus.SCHEDULED,
                        Campaign.send_at <= self.now(),
                    )
                )
            )
        for campaign_id in due:
            with self.db.transaction() as session:
                self._start(session, campaign_id)
        return bool(due)

    def _start(self, session: Session, campaign_id: int) -> None:
        won = session.execute(
            update(Campaign)
            .where(Campaign.id == campaign_id, Campaign.status == CampaignStatus.SCHEDULED)
            .values(status=CampaignStatus.SENDING, started_at=self.now())
        )
        if won.rowcount != 1:  # type: ignore[attr-defined]
            return  # another sender started it
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        shop = session.get(Shop, campaign.shop_id)
        segment = session.get(Segment, campaign.segment_id)
        assert shop is not None
        assert segment is not None
        customers.sync(session, shop)
        try:
            rule = segments.rule_of(segment)
        except RuleInvalid:
            campaign.status = CampaignStatus.CANCELLED
            log.warning("segment rule no longer valid", extra={"campaign": campaign_id})
            return
        where = sql.where(rule, segments.context(shop, self.now()))
        address = Customer.email if campaign.channel == Channel.EMAIL else Customer.phone
        picked = select(
            literal(campaign.id), Customer.id, address, literal(RecipientStatus.QUEUED.value)
        ).where(where, sql.consented(campaign.channel))
        session.execute(
            insert(CampaignRecipient).from_select(
                ["campaign_id", "customer_id", "address", "status"], picked
            )
        )
        log.info("campaign started", extra={"campaign": campaign_id})

    # -- sending ---------------------------------------------------------------------------

    def _send_campaign(self, campaign_id: int) -> bool:
        with self.db.transaction() as session:
            campaign = session.get(Campaign, campaign_id)
            shop = session.get(Shop, campaign.shop_id) if campaign else None
        if campaign is None or shop is None or campaign.status != CampaignStatus.SENDING:
            return False
        zone = ZoneInfo(shop.timezone)
        if campaign.channel == Channel.SMS and in_quiet_hours(
            self.now(), zone, campaign.quiet_start, campaign.quiet_end
        ):
            return False
        reply_to = self._reply_to(shop)
        worked = False
        while not self._stopping.is_set():
            self._throttle()
            claim = self._claim(campaign)
            if claim is None:
                return worked
            worked = True
            status, reason = self._deliver(shop, campaign, claim, reply_to)
            self._record(claim.recipient_id, status, reason)
        return worked

    def _throttle(self) -> None:
        if not self.interval:
            return
        wait = self._next_at - time.monotonic()
        if wait > 0:
            self._stopping.wait(wait)
        self._next_at = max(self._next_at, time.monotonic()) + self.interval

    def _claim(self, campaign: Campaign) -> Claim | None:
        while True:
            with self.db.transaction() as session:
                status = session.scalar(select(Campaign.status).where(Campaign.id == campaign.id))
                if status != CampaignStatus.SENDING:
                    return None  # cancelled meanwhile
                row = session.execute(
                    select(CampaignRecipient.id, CampaignRecipient.customer_id)
                    .where(
                        CampaignRecipient.campaign_id == campaign.id,
                        CampaignRecipient.status == RecipientStatus.QUEUED,
                    )
                    .order_by(CampaignRecipient.id)
                    .limit(1)
                ).first()
                if row is None:
                    return None
                recipient_id, customer_id = row
                won = session.execute(
                    update(CampaignRecipient)
                    .where(
                        CampaignRecipient.id == recipient_id,
                        CampaignRecipient.status == RecipientStatus.QUEUED,
                    )
                    .values(status=RecipientStatus.SENDING, claimed_at=self.now())
                )
                if won.rowcount != 1:  # type: ignore[attr-defined]
                    continue  # another sender took it
                customer = session.get(Customer, customer_id)
                if customer is None or not consenting(customer, campaign.channel):
                    session.execute(
                        update(CampaignRecipient)
                        .where(CampaignRecipient.id == recipient_id)
                        .values(
                            status=RecipientStatus.UNSUBSCRIBED,
                            reason="consent withdrawn before sending",
                        )
                    )
                    continue
                address = service.address_of(customer, campaign.channel)
                assert address is not None
                session.execute(
                    update(CampaignRecipient)
                    .where(CampaignRecipient.id == recipient_id)
                    .values(address=address)
                )
                return Claim(recipient_id, customer, address)

    def _deliver(
        self, shop: Shop, campaign: Campaign, claim: Claim, reply_to: str | None
    ) -> tuple[RecipientStatus, str | None]:
        rendered = service.render_for(shop, campaign, claim.customer, self.links)
        try:
            if campaign.channel == Channel.EMAIL:
                url = self.links.unsubscribe_url(claim.customer.id, Channel.EMAIL, campaign.id)
                self.mailer.send(
                    Email(claim.address, rendered.subject, rendered.body, url, reply_to)
                )
            else:
                self.sms.send(claim.address, rendered.body)
        except Unavailable:
            self._release(claim.recipient_id)
            raise
        except SendFailed as failed:
            status = RecipientStatus.BOUNCED if failed.bounced else RecipientStatus.FAILED
            return status, failed.reason
        return RecipientStatus.SENT, None

    def _record(self, recipient_id: int, status: RecipientStatus, reason: str | None) -> None:
        with self.db.transaction() as session:
            values: dict[str, object] = {"status": status, "reason": reason}
            if status == RecipientStatus.SENT:
                values["sent_at"] = self.now()
            session.execute(
                update(CampaignRecipient)
                .where(CampaignRecipient.id == recipient_id)
                .values(**values)
            )

    def _release(self, recipient_id: int) -> None:
        """Nothing was sent (the transport is down): back in the queue."""
        with self.db.transaction() as session:
            session.execute(
                update(CampaignRecipient)
                .where(CampaignRecipient.id == recipient_id)
                .values(status=RecipientStatus.QUEUED, claimed_at=None)
            )

    def _reply_to(self, shop: Shop) -> str | None:
        with self.db.transaction() as session:
            found = session.get(CampaignSettings, shop.id)
            return found.reply_to if found else None

    # -- housekeeping ----------------------------------------------------------------------

    def _expire_claims(self) -> bool:
        cutoff = self.now() - timedelta(seconds=self.settings.campaign_claim_timeout_seconds)
        with self.db.transaction() as session:
            expired = session.execute(
                update(CampaignRecipient)
                .where(
                    CampaignRecipient.status == RecipientStatus.SENDING,
                    CampaignRecipient.claimed_at < cutoff,
                )
                .values(status=RecipientStatus.FAILED, reason=INTERRUPTED)
            )
            return bool(expired.rowcount)  # type: ignore[attr-defined]

    def _claims_open(self) -> bool:
        with self.db.transaction() as session:
            found = session.scalar(
                select(CampaignRecipient.id)
                .where(CampaignRecipient.status == RecipientStatus.SENDING)
                .limit(1)
            )
            return found is not None

    def _finish_done(self) -> None:
        waiting = (
            select(CampaignRecipient.id)
            .where(
                CampaignRecipient.campaign_id == Campaign.id,
                CampaignRecipient.status.in_([RecipientStatus.QUEUED, RecipientStatus.SENDING]),
            )
            .exists()
        )
        with self.db.transaction() as session:
            session.execute(
                update(Campaign)
                .where(Campaign.status == CampaignStatus.SENDING, ~waiting)
                .values(status=CampaignStatus.SENT, finished_at=self.now())
            )
