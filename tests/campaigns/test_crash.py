"""`barberbot campaigns run` killed mid-send and restarted: nobody twice, everyone once."""

from __future__ import annotations

import email
import email.policy
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.campaigns.sender import INTERRUPTED
from barberbot.core.settings import Settings
from barberbot.customers import consent
from barberbot.forms.store import SqlAnswerStore
from barberbot.inquiries import writer
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import CampaignRecipient, Channel, Customer, Shop, Source
from tests.campaigns.factories import days_ago, make_campaign, make_segment, sync
from tests.campaigns.helpers import states
from tests.factories import inquiry_payload
from tests.streaming.helpers import wait_until
from tests.support.environment import settings_env
from tests.support.smtp import SmtpServer

BARBERBOT = str(Path(sys.executable).parent / "barberbot")
CAMPAIGN = 5_000  # the size: consenting customers of the killed campaign
REFUSED = 300  # gave no marketing consent
UNSUBSCRIBED = 200  # consented, then unsubscribed before the campaign
LATE = 100  # unsubscribe while the sender is dead, with their messages still queued
SMALL = 400  # the SIGTERM test's campaign, throttled
RATE = 100  # messages per second there: about four seconds for the whole campaign


def add_people(session: Session, shop: Shop, prefix: str, count: int, *, consent: bool) -> None:
    rows = []
    for i in range(count):
        data = validate_inquiry(
            inquiry_payload(
                customer_name=f"{prefix.title()} {i}",
                email=f"{prefix}{i}@x.example",
                phone=None,
                marketing_consent=consent,
            ),
            shop.type_labels(),
        )
        rows.append(prepare(shop, data, source=Source.IMPORT, received_at=days_ago(1)))
    writer.write(session, rows, SqlAnswerStore())
    session.commit()


def unsubscribe(session: Session, shop: Shop, addresses: Iterable[str]) -> None:
    """As the unsubscribe link does it (no campaign in the link: only the claim can tell)."""
    wanted = set(addresses)
    found = session.scalars(
        select(Customer).where(Customer.shop_id == shop.id, Customer.email.in_(wanted))
    ).all()
    assert len(found) == len(wanted)
    for customer in found:
        consent.withdraw(session, customer, Channel.EMAIL, "unsubscribe_link")
    session.commit()


@pytest.fixture
def crowd(session: Session, shop: Shop) -> None:
    add_people(session, shop, "guest", SMALL, consent=True)
    sync(session, shop)


@pytest.fixture
def big_crowd(session: Session, shop: Shop) -> None:
    add_people(session, shop, "guest", CAMPAIGN, consent=True)
    add_people(session, shop, "refused", REFUSED, consent=False)
    add_people(session, shop, "gone", UNSUBSCRIBED, consent=True)
    sync(session, shop)
    unsubscribe(session, shop, (f"gone{i}@x.example" for i in range(UNSUBSCRIBED)))


def sender_env(settings: Settings, rate: float, **overrides: object) -> dict[str, str]:
    return settings_env(
        settings.model_copy(
            update={
                "campaign_send_rate": rate,
                "campaign_poll_seconds": 0.2,
                "campaign_claim_timeout_seconds": 1.0,
                **overrides,
            }
        )
    )


@pytest.fixture
def start(settings: Settings, tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    log = (tmp_path / "sender.log").open("ab")

    def run(*args: str, rate: float = RATE, **overrides: object) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [BARBERBOT, "campaigns", "run", *args],
            env=sender_env(settings, rate, **overrides),
            stdout=log,
            stderr=log,
        )
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()
    log.close()


@pytest.mark.usefixtures("big_crowd")
def test_sigkill_mid_send_of_5000_then_restart_sends_nobody_twice(
    session: Session,
    shop: Shop,
    smtp: SmtpServer,
    start: Callable[..., subprocess.Popen[bytes]],
) -> None:
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "email"})
    campaign = make_campaign(session, shop=shop, segment=segment, send=True)

    first = start(rate=0)  # throttling off
    wait_until(lambda: len(smtp.messages()) >= CAMPAIGN // 3, 120, "a third of the messages")
    first.send_signal(signal.SIGKILL)  # mid-send: no chance to record anything
    first.wait()
    at_kill = len(smtp.messages())
    assert at_kill < CAMPAIGN - LATE, "the campaign (nearly) finished before the kill"
    statuses = states(session, campaign)
    assert len(statuses) == CAMPAIGN  # picked once, consenting only
    in_flight = sum(status == "sending" for status in statuses.values())
    assert in_flight <= 1  # claimed one at a time: at most one message is in doubt
    still_queued = sorted(a for a, status in statuses.items() if status == "queued")
    late = set(still_queued[-LATE:])  # unsubscribed while nothing runs: only the claim sees it
    unsubscribe(session, shop, late)

    second = start("--until-idle", rate=0)
    assert second.wait(timeout=180) == 0

    received = Counter(r for m in smtp.messages() for r in m.recipients)
    assert max(received.values()) == 1, "somebody got the campaign twice"
    consenting = {f"guest{i}@x.example" for i in range(CAMPAIGN)}
    assert set(received) <= consenting - late  # nobody without consent, nobody unsubscribed
    statuses = states(session, campaign)
    sent = {address for address, status in statuses.items() if status == "sent"}
    in_doubt = {address for address, status in statuses.items() if status == "failed"}
    assert {a for a, status in statuses.items() if status == "unsubscribed"} == late
    assert set(statuses.values()) <= {"sent", "failed", "unsubscribed"}
    assert len(in_doubt) == in_flight
    assert sent <= set(received)  # everyone recorded sent got it exactly once
    assert set(received) - sent <= in_doubt  # the one in doubt may have got it, once
    assert sent | in_doubt == consenting - late  # everyone else got it
    reasons = session.scalars(
        select(CampaignRecipient.reason).where(CampaignRecipient.status == "failed")
    ).all()
    assert all(reason == INTERRUPTED for reason in reasons)
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    session.refresh(campaign)
    assert campaign.status == "sent"


@pytest.mark.usefixtures("crowd")
def test_sigterm_stops_between_messages_and_leaves_nothing_in_doubt(
    session: Session,
    shop: Shop,
    smtp: SmtpServer,
    start: Callable[..., subprocess.Popen[bytes]],
) -> None:
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "email"})
    campaign = make_campaign(session, shop=shop, segment=segment, send=True)

    sender = start()
    wait_until(lambda: len(smtp.messages()) >= 50, 60, "fifty messages")
    sender.send_signal(signal.SIGTERM)
    assert sender.wait(timeout=15) == 0

    statuses = states(session, campaign)
    assert "sending" not in statuses.values()
    sent = {a for a, s in statuses.items() if s == "sent"}
    assert sent == {r for m in smtp.messages() for r in m.recipients}
    assert len(sent) < SMALL


def kept_in(folder: Path) -> list[EmailMessage]:
    found = []
    for path in folder.glob("*.eml"):  # (a temporary file, hidden, is never one of them)
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        found.append(parsed)
    return found


@pytest.mark.usefixtures("crowd")
def test_sigkill_while_keeping_in_the_local_outbox_then_restart_keeps_nobody_twice(
    session: Session,
    shop: Shop,
    settings: Settings,
    smtp: SmtpServer,
    start: Callable[..., subprocess.Popen[bytes]],
) -> None:
    """No mail server set up: the same guarantee, and never half a message in the outbox."""
    folder = settings.resolved_local_outbox_dir
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "email"})
    campaign = make_campaign(session, shop=shop, segment=segment, send=True)

    first = start(rate=150, smtp_host="")
    wait_until(lambda: len(list(folder.glob("*.eml"))) >= 100, 60, "a hundred kept messages")
    first.send_signal(signal.SIGKILL)
    first.wait()
    second = start("--until-idle", rate=0, smtp_host="")
    assert second.wait(timeout=120) == 0

    messages = kept_in(folder)
    kept = Counter(m["To"] for m in messages)
    assert max(kept.values()) == 1, "somebody's message was kept twice"
    assert all(m["X-BarberBot-Shop"] == str(shop.id) for m in messages)
    assert all("Unsubscribe: http://" in m.get_content() for m in messages)  # each one whole
    statuses = states(session, campaign)
    sent = {address for address, status in statuses.items() if status == "sent"}
    in_doubt = {address for address, status in statuses.items() if status == "failed"}
    assert len(in_doubt) <= 1
    assert sent <= set(kept)
    assert set(kept) - sent <= in_doubt
    assert sent | in_doubt == {f"guest{i}@x.example" for i in range(SMALL)}
    assert smtp.messages() == []
