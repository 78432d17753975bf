"""The background sender (`barberbot campaigns run`): throttled, crash-safe, consent-checked.

The guarantee: nobody gets the same campaign twice, whatever crashes.
- Recipients are picked once, in one transaction with the campaign's start, into
  campaign_recipients, unique on (campaign, customer).
- Each message is claimed before it is sent: queued -> sending is committed first, then the
  message goes out, then sent / failed / bounced is committed — unthrottled, in the same
  transaction as the next claim (one commit per message), so still before the next message
  goes out. Only `queued` rows are claimed, so a row is handed to a transport at most once,
  by one sender.
- A crash between the claim and the record leaves the row `sending`: the message may or may
  not have gone out. Once the claim is older than BARBERBOT_CAMPAIGN_CLAIM_TIMEOUT_SECONDS it
  is recorded `failed` ("interrupted") and never sent again. So a crash can cost at most one
  message per running sender (at most once), never a duplicate. The throttle's wait comes
  before the claim, so the window is one SMTP or HTTP exchange long.
- Consent is read again at the claim: an unsubscribe is effective for every message not yet
  claimed (the row becomes `unsubscribed`).
- The transport being down (nothing sent) hands the claim back to `queued`.

Where the messages go is the transport's choice (messaging/transport.py): the mail server and
the SMS provider, or the local outbox where none is set up; the guarantee is the same.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Connection,
    case,
    exists,
    insert,
    literal,
    null,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, aliased

from barberbot.campaigns import segments, service, sql
from barberbot.campaigns.confirmations import Confirmations
from barberbot.campaigns.errors import Invalid
from barberbot.campaigns.links import Links
from barberbot.campaigns.rules import RuleInvalid
from barberbot.campaigns.verp import ReturnPaths
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.customers import service as customers
from barberbot.messaging.claims import Claims, Cycler
from barberbot.messaging.errors import SendFailed, Unavailable
from barberbot.messaging.messages import Email, Sms
from barberbot.messaging.transport import EmailBackend, SmsBackend, transport_for
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
WITHDRAWN = "consent withdrawn before sending"
BOUNCED_BEFORE = "not sent: this address bounced in an earlier campaign"
WINDOW = 200  # queued recipients read at a time


class Cancelled(Exception):
    """The campaign was cancelled while it was being sent."""


@dataclass(frozen=True)
class Claim:
    recipient_id: int
    customer: Customer
    address: str


@dataclass(frozen=True)
class Outcome:
    recipient_id: int
    status: RecipientStatus
    reason: str | None
    sent_at: datetime | None


# Core tables: the per-message statements skip the ORM's bookkeeping
RECIPIENTS, CAMPAIGNS = customers.table_of(CampaignRecipient), customers.table_of(Campaign)
CUSTOMERS = customers.CUSTOMERS


def base_url(settings: Settings) -> str:
    return settings.public_url or f"http://{settings.host}:{settings.port}"


def in_quiet_hours(now: datetime, zone: ZoneInfo, start: int | None, end: int | None) -> bool:
    if start is None or end is None or start == end:
        return False
    hour = now.astimezone(zone).hour
    return start <= hour < end if start < end else hour >= start or hour < end


def bounced_before(channel: str, address: Any) -> ColumnElement[bool]:
    """The customer's current address on the channel bounced in an earlier campaign: sending
    to it again would only bounce again and hurt the shop's standing with mail providers."""
    earlier = aliased(CampaignRecipient)
    return exists().where(
        earlier.customer_id == Customer.id,
        earlier.status == RecipientStatus.BOUNCED,
        earlier.address == address,
        earlier.campaign_id.in_(select(Campaign.id).where(Campaign.channel == channel)),
    )


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
        mailer: EmailBackend | None = None,
        sms: SmsBackend | None = None,
        now: Callable[[], datetime] = utcnow,
        stopping: threading.Event | None = None,
        also: Sequence[Cycler] = (),
    ) -> None:
        """`mailer`, `sms`: backends used instead of the settings' (and left open); `also`:
        other sending run in the same loop (the inbox's: replies, acknowledgements...)."""
        self.db = db
        self.settings = settings
        self.transport = transport_for(settings, email=mailer, sms=sms)
        self.links = Links(settings.resolved_secret_key, base_url(settings))
        self.confirmations = Confirmations(db, self.transport, self.links, now)
        bounce_to = settings.bounce_address
        self.paths = ReturnPaths(settings.resolved_secret_key, bounce_to) if bounce_to else None
        self.now = now
        rate = settings.campaign_send_rate
        self.interval = 1 / rate if rate > 0 else 0.0
        self._next_at = 0.0
        self._stopping = stopping or threading.Event()
        self.claims = Claims(
            db,
            RECIPIENTS,
            timeout_seconds=settings.campaign_claim_timeout_seconds,
            now=now,
            reason="reason",
            interrupted=INTERRUPTED,
        )
        self.also = tuple(also)

    def stop(self) -> None:
        self._stopping.set()

    def run(self, *, until_idle: bool = False) -> None:
        log.info("campaign sender started", extra={"rate": self.settings.campaign_send_rate})
        where = {"folder": str(self.settings.resolved_local_outbox_dir)}
        if self.transport.keeps_locally(Channel.EMAIL):
            log.info("no mail server set up: e-mail is kept in the local outbox", extra=where)
        if self.transport.keeps_locally(Channel.SMS):
            log.info("no SMS provider set up: SMS are kept in the local outbox", extra=where)
        try:
            while not self._stopping.is_set():
                try:
                    worked = self.cycle()
                    for other in self.also:
                        if not self._stopping.is_set():
                            worked |= other.cycle()
                except DBAPIError as error:  # the database is away or busy: try again later
                    log.warning("campaign sender cycle failed", extra={"error": str(error)})
                    self._stopping.wait(self.settings.campaign_poll_seconds)
                    continue
                if until_idle and not worked and not self.claims_open():
                    return
                if not worked:
                    self._stopping.wait(self.settings.campaign_poll_seconds)
        finally:
            self.close()
            log.info("campaign sender stopped")

    def close(self) -> None:
        self.transport.close()
        for other in self.also:
            other.close()

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
            in_sql = not self.settings.mongodb_url  # answer conditions need the SQL store
            where = sql.where(rule, segments.context(shop, self.now(), answers_in_sql=in_sql))
        except RuleInvalid:
            campaign.status = CampaignStatus.CANCELLED
            log.warning("segment rule no longer valid", extra={"campaign": campaign_id})
            return
        address = Customer.email if campaign.channel == Channel.EMAIL else Customer.phone
        # one pass over the segment; an address that bounced before is on the record as
        # failed with the reason, and never sent
        bounced = bounced_before(campaign.channel, address)
        status = case((bounced, RecipientStatus.FAILED.value), else_=RecipientStatus.QUEUED.value)
        reason = case((bounced, BOUNCED_BEFORE), else_=null())
        picked = select(literal(campaign.id), Customer.id, address, status, reason).where(
            where, sql.consented(campaign.channel)
        )
        columns = ["campaign_id", "customer_id", "address", "status", "reason"]
        session.execute(insert(CampaignRecipient).from_select(columns, picked))
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
        done: Outcome | None = None  # the last message's outcome, recorded with the next claim
        # one connection for the whole campaign: a checkout per message costs a ping on MySQL
        with self.db.engine.connect() as connection:
            try:
                for recipient_id, customer in self._queued(connection, campaign_id):
                    self._throttle()
                    claim = self._claim_next(connection, campaign, recipient_id, customer, done)
                    done = None  # recorded (committed)
                    if claim is not None:
                        worked = True
                        done = self._deliver(shop, campaign, claim, reply_to)
                        if self.interval:  # throttled: record now, not after the wait
                            self._record_alone(connection, done)
                            done = None
            except Cancelled:
                pass
            finally:
                if done is not None:
                    self._record_alone(connection, done)
        return worked

    def _throttle(self) -> None:
        if not self.interval:
            return
        wait = self._next_at - time.monotonic()
        if wait > 0:
            self._stopping.wait(wait)
        self._next_at = max(self._next_at, time.monotonic()) + self.interval

    def _queued(self, connection: Connection, campaign_id: int) -> Iterator[tuple[int, Customer]]:
        """The queued recipients and their customers, read a window at a time (each is still
        claimed on its own, and the claim checks consent and address again)."""
        while not self._stopping.is_set():
            with connection.begin():
                window = connection.execute(
                    select(RECIPIENTS.c.id.label("recipient_id"), *CUSTOMERS.c)
                    .outerjoin_from(
                        RECIPIENTS, CUSTOMERS, CUSTOMERS.c.id == RECIPIENTS.c.customer_id
                    )
                    .where(
                        RECIPIENTS.c.campaign_id == campaign_id,
                        RECIPIENTS.c.status == RecipientStatus.QUEUED,
                    )
                    .order_by(RECIPIENTS.c.id)
                    .limit(WINDOW)
                ).all()
            if not window:
                return
            for row in window:
                if self._stopping.is_set():
                    return
                # (a customer gone meanwhile comes as all None: the claim records it)
                yield row.recipient_id, Customer(**{c.key: row._mapping[c] for c in CUSTOMERS.c})

    def _claim_next(
        self, connection: Connection, campaign: Campaign, recipient_id: int, customer: Customer,
        done: Outcome | None,
    ) -> Claim | None:  # fmt: skip
        """One transaction: the last outcome recorded, then the next recipient claimed."""
        sending = True
        with connection.begin():
            if done is not None:
                self._record(connection, done)
            claim = self._claim_as_read(connection, campaign, recipient_id, customer)
            if claim is None:  # something changed since the window was read: look closer
                sending = self._still_sending(connection, campaign.id)
                if sending:
                    claim = self._claim(connection, campaign, recipient_id, customer.id)
        if not sending:
            raise Cancelled  # after the commit: the outcome stays recorded
        return claim

    def _claim_as_read(
        self, connection: Connection, campaign: Campaign, recipient_id: int, customer: Customer
    ) -> Claim | None:
        """queued -> sending in one statement, if the campaign is still sending and the
        customer still consents at the address read with the window."""
        address = service.address_of(customer, campaign.channel)
        if address is None or not consenting(customer, campaign.channel):
            return None
        column = CUSTOMERS.c.email if campaign.channel == Channel.EMAIL else CUSTOMERS.c.phone
        won = connection.execute(
            update(RECIPIENTS)
            .where(
                RECIPIENTS.c.id == recipient_id,
                RECIPIENTS.c.status == RecipientStatus.QUEUED,
                exists().where(
                    CAMPAIGNS.c.id == campaign.id, CAMPAIGNS.c.status == CampaignStatus.SENDING
                ),
                exists().where(
                    CUSTOMERS.c.id == customer.id,
                    sql.consented(campaign.channel),
                    column == address,
                ),
            )
            .values(status=RecipientStatus.SENDING, claimed_at=self.now(), address=address)
        )
        return Claim(recipient_id, customer, address) if won.rowcount == 1 else None

    @staticmethod
    def _still_sending(connection: Connection, campaign_id: int) -> bool:
        status = connection.scalar(select(CAMPAIGNS.c.status).where(CAMPAIGNS.c.id == campaign_id))
        return status == CampaignStatus.SENDING

    def _claim(
        self, connection: Connection, campaign: Campaign, recipient_id: int, customer_id: int
    ) -> Claim | None:
        """queued -> sending with the address, consent read again; None if not to be sent
        (taken by another sender, or consent withdrawn: then recorded unsubscribed)."""
        row = connection.execute(select(CUSTOMERS).where(CUSTOMERS.c.id == customer_id)).first()
        customer = None if row is None else Customer(**row._mapping)
        queued = RECIPIENTS.c.id == recipient_id, RECIPIENTS.c.status == RecipientStatus.QUEUED
        if customer is None or not consenting(customer, campaign.channel):
            connection.execute(
                update(RECIPIENTS)
                .where(*queued)
                .values(status=RecipientStatus.UNSUBSCRIBED, reason=WITHDRAWN)
            )
            return None
        address = service.address_of(customer, campaign.channel)
        assert address is not None
        won = connection.execute(
            update(RECIPIENTS)
            .where(*queued)
            .values(status=RecipientStatus.SENDING, claimed_at=self.now(), address=address)
        )
        return Claim(recipient_id, customer, address) if won.rowcount == 1 else None

    def _deliver(
        self, shop: Shop, campaign: Campaign, claim: Claim, reply_to: str | None
    ) -> Outcome:
        try:
            self.transport.send(self._message(shop, campaign, claim, reply_to))
        except Unavailable:
            self._release(claim.recipient_id)
            raise
        except SendFailed as failed:
            status = RecipientStatus.BOUNCED if failed.bounced else RecipientStatus.FAILED
            return Outcome(claim.recipient_id, status, failed.reason, None)
        except (ValueError, Invalid) as bad:  # this message cannot be made: the rest go on
            log.warning("message not made", extra={"campaign": campaign.id, "error": str(bad)})
            return Outcome(claim.recipient_id, RecipientStatus.FAILED, _unmade(bad), None)
        return Outcome(claim.recipient_id, RecipientStatus.SENT, None, self.now())

    def _message(
        self, shop: Shop, campaign: Campaign, claim: Claim, reply_to: str | None
    ) -> Email | Sms:
        rendered = service.render_for(shop, campaign, claim.customer, self.links)
        if campaign.channel != Channel.EMAIL:
            return Sms(claim.address, rendered.body, shop_id=shop.id)
        url = self.links.unsubscribe_url(claim.customer.id, Channel.EMAIL, campaign.id)
        path = self.paths.address(claim.recipient_id) if self.paths else None
        return Email(
            claim.address, rendered.subject, rendered.body, url, reply_to,
            return_path=path, shop_id=shop.id,
        )  # fmt: skip

    @staticmethod
    def _record(connection: Connection, done: Outcome) -> None:
        connection.execute(
            update(RECIPIENTS)
            .where(RECIPIENTS.c.id == done.recipient_id)
            .values(status=done.status, reason=done.reason, sent_at=done.sent_at)
        )

    def _record_alone(self, connection: Connection, done: Outcome) -> None:
        """The last outcome, when no claim follows; a failure leaves the row `sending`, in
        doubt, which expiry later records as interrupted (never sent again)."""
        try:
            if connection.in_transaction():
                connection.rollback()
            with connection.begin():
                self._record(connection, done)
        except DBAPIError as error:
            log.warning("outcome not recorded", extra={"error": str(error)})

    def _release(self, recipient_id: int) -> None:
        """Nothing was sent (the transport is down): back in the queue."""
        self.claims.release(recipient_id)

    def _reply_to(self, shop: Shop) -> str | None:
        with self.db.transaction() as session:
            found = session.get(CampaignSettings, shop.id)
            return found.reply_to if found else None

    # -- housekeeping ----------------------------------------------------------------------

    def _expire_claims(self) -> bool:
        return self.claims.expire()

    def claims_open(self) -> bool:
        return self.claims.open() or any(other.claims_open() for other in self.also)

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


def _unmade(error: Exception) -> str:
    """Why a message could not be made, in the owner's words."""
    if isinstance(error, Invalid):
        return "Not sent: " + "; ".join(error.errors.values())
    return f"Not sent: the message could not be made ({error})."
