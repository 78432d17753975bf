"""`barberbot campaigns run` killed mid-send and restarted: nobody twice, everyone once."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.campaigns.sender import INTERRUPTED
from barberbot.core.settings import Settings
from barberbot.inquiries import service as inquiries
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import CampaignRecipient, Shop, Source
from barberbot.testing.environment import settings_env
from barberbot.testing.smtp import SmtpServer
from tests.campaigns.factories import days_ago, make_campaign, make_segment, sync
from tests.campaigns.helpers import states
from tests.factories import inquiry_payload
from tests.streaming.helpers import wait_until

BARBERBOT = str(Path(sys.executable).parent / "barberbot")
CUSTOMERS = 400
RATE = 100  # messages per second: about four seconds for the whole campaign


@pytest.fixture
def crowd(session: Session, shop: Shop) -> None:
    rows = []
    for i in range(CUSTOMERS):
        data = validate_inquiry(
            inquiry_payload(customer_name=f"Guest {i}", email=f"guest{i}@x.example", phone=None),
            shop.type_labels(),
        )
        rows.append(
            inquiries.inquiry_values(shop, data, source=Source.IMPORT, received_at=days_ago(1))
        )
    inquiries.insert_rows(session, rows, skip_known=False)
    session.commit()
    sync(session, shop)


@pytest.fixture
def sender_env(settings: Settings) -> dict[str, str]:
    return settings_env(
        settings.model_copy(
            update={
                "campaign_send_rate": RATE,
                "campaign_poll_seconds": 0.2,
                "campaign_claim_timeout_seconds": 1.0,
            }
        )
    )


@pytest.fixture
def start(
    sender_env: dict[str, str], tmp_path: Path
) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    log = (tmp_path / "sender.log").open("ab")

    def run(*args: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [BARBERBOT, "campaigns", "run", *args], env=sender_env, stdout=log, stderr=log
        )
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()
    log.close()


@pytest.mark.usefixtures("crowd")
def test_sigkill_mid_send_then_restart_sends_nobody_twice(
    session: Session,
    shop: Shop,
    smtp: SmtpServer,
    start: Callable[..., subprocess.Popen[bytes]],
) -> None:
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "email"})
    campaign = make_campaign(session, shop=shop, segment=segment, send=True)

    first = start()
    wait_until(lambda: len(smtp.messages()) >= CUSTOMERS // 3, 60, "a third of the messages")
    first.send_signal(signal.SIGKILL)  # mid-send: no chance to record anything
    first.wait()
    at_kill = len(smtp.messages())
    assert at_kill < CUSTOMERS, "the campaign finished before the kill: slow the rate"
    in_flight = session.scalar(
        select(func.count()).where(
            CampaignRecipient.campaign_id == campaign.id,
            CampaignRecipient.status == "sending",
        )
    )
    assert in_flight is not None
    assert in_flight <= 1  # claimed one at a time: at most one message is in doubt

    second = start("--until-idle")
    assert second.wait(timeout=120) == 0

    received = Counter(r for m in smtp.messages() for r in m.recipients)
    assert max(received.values()) == 1, "somebody got the campaign twice"
    statuses = states(session, campaign)
    assert len(statuses) == CUSTOMERS
    sent = {address for address, status in statuses.items() if status == "sent"}
    in_doubt = {address for address, status in statuses.items() if status == "failed"}
    assert set(statuses.values()) <= {"sent", "failed"}
    assert len(in_doubt) == in_flight
    assert sent <= set(received)  # everyone recorded sent got it exactly once
    assert set(received) - sent <= in_doubt  # the one in doubt may have got it, once
    assert len(received) >= CUSTOMERS - 1
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
    assert len(sent) < CUSTOMERS
