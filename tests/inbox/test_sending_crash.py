"""`barberbot campaigns run` killed with SIGKILL while sending replies and acknowledgements,
then restarted: each went out once, or is recorded interrupted (at most one per kind)."""

from __future__ import annotations

import functools
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.core.settings import Settings
from barberbot.forms.store import SqlAnswerStore
from barberbot.inbox import replies
from barberbot.inquiries import writer
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.rules import validate_inquiry
from barberbot.messaging.claims import INTERRUPTED
from barberbot.models import Inquiry, InquiryAcknowledgement, InquiryReply, Shop, Source
from tests.factories import inquiry_payload
from tests.inbox.sending import smtp_settings
from tests.streaming.helpers import wait_until
from tests.support.environment import settings_env
from tests.support.smtp import SmtpServer

BARBERBOT = str(Path(sys.executable).parent / "barberbot")
EACH = 150  # replies, and acknowledgements: a few seconds in all


def add(session: Session, shop: Shop, prefix: str) -> list[Inquiry]:
    rows = []
    for i in range(EACH):
        payload = inquiry_payload(
            customer_name=f"{prefix.title()} {i}", email=f"{prefix}{i}@x.example", phone=None
        )
        data = validate_inquiry(payload, shop.type_labels())
        rows.append(prepare(shop, data, source=Source.API))
    writer.write(session, rows, SqlAnswerStore())
    session.commit()
    return list(session.scalars(select(Inquiry).where(Inquiry.email.like(f"{prefix}%"))))


def outcomes(
    session: Session, model: type[InquiryReply] | type[InquiryAcknowledgement]
) -> dict[str, tuple[str, str | None]]:
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    rows = session.execute(
        select(Inquiry.email, model.status, model.error).join(
            Inquiry, Inquiry.id == model.inquiry_id
        )
    )
    return {str(email): (status, error) for email, status, error in rows}


def arrived(smtp: SmtpServer, count: int) -> bool:
    return len(smtp.messages()) >= count


def test_sigkill_mid_send_then_restart_sends_each_reply_and_acknowledgement_once(
    session: Session, settings: Settings, smtp: SmtpServer, shop: Shop, tmp_path: Path
) -> None:
    for inquiry in add(session, shop, "answered"):
        replies.queue(session, shop, inquiry, None, body=f"Hello {inquiry.email}")
    session.commit()
    add(session, shop, "fresh")  # new: each gets an acknowledgement
    env = settings_env(
        smtp_settings(settings, smtp).model_copy(
            update={"campaign_poll_seconds": 0.2, "campaign_claim_timeout_seconds": 1.0}
        )
    )
    log = (tmp_path / "sender.log").open("ab")
    started: list[subprocess.Popen[bytes]] = []

    def start(*args: str) -> subprocess.Popen[bytes]:
        started.append(
            subprocess.Popen(
                [BARBERBOT, "campaigns", "run", *args], env=env, stdout=log, stderr=log
            )
        )
        return started[-1]

    try:
        for kill_at in (EACH // 2, EACH + EACH // 2):  # among the replies, then the rest
            killed = start()
            wait_until(functools.partial(arrived, smtp, kill_at), 60, f"{kill_at} messages")
            killed.send_signal(signal.SIGKILL)  # mid-send: no chance to record anything
            killed.wait()
        at_kill = len(smtp.messages())
        assert start("--until-idle").wait(timeout=120) == 0
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait()
        log.close()

    assert at_kill < 2 * EACH, "everything went before the kill"
    received = Counter(r for m in smtp.messages() for r in m.recipients)
    assert max(received.values()) == 1, "somebody got a message twice"
    for model, prefix in ((InquiryReply, "answered"), (InquiryAcknowledgement, "fresh")):
        found = {a: v for a, v in outcomes(session, model).items() if a.startswith(prefix)}
        assert set(found) == {f"{prefix}{i}@x.example" for i in range(EACH)}
        sent = {a for a, (status, _) in found.items() if status == "sent"}
        in_doubt = {a for a, (status, error) in found.items() if status == "failed"}
        assert all(found[a][1] == INTERRUPTED for a in in_doubt)
        assert len(in_doubt) <= 1  # one at a time: at most one in doubt per kind
        assert sent | in_doubt == set(found)
        assert sent <= set(received)
        assert {a for a in received if a.startswith(prefix)} - sent <= in_doubt
    skipped = {
        a
        for a, (status, _) in outcomes(session, InquiryAcknowledgement).items()
        if status == "skipped"
    }
    assert skipped == {f"answered{i}@x.example" for i in range(EACH)}  # answered first
