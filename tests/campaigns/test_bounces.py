"""Late bounces: VERP return paths, and real delivery reports sent to the bounce receiver."""

from __future__ import annotations

import base64
import quopri
import signal
import smtplib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.campaigns import dsn
from barberbot.campaigns.bounce_server import MAX_BYTES, serving
from barberbot.campaigns.verp import ReturnPaths
from barberbot.cli import app as cli
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Campaign, CampaignRecipient, RecipientStatus, Shop
from tests.campaigns.factories import make_campaign, make_person, make_segment
from tests.campaigns.helpers import run_sender, states
from tests.campaigns.test_crash import BARBERBOT
from tests.streaming.helpers import wait_until
from tests.support.environment import settings_env
from tests.support.ports import free_port, terminate, wait_for_port
from tests.support.smtp import SmtpServer

BOUNCES = "bounces@bounces.kings.example"
NOT_RETURN_PATHS = (
    "",
    "@",
    BOUNCES,
    "bounces+x-y@bounces.kings.example",
    "bounces+-@bounces.kings.example",
    "bounces+1-@bounces.kings.example",
)
DIAGNOSTIC = "550 5.1.1 <al@x.example>: Recipient address rejected: User unknown"


def report_fields(recipient: str, status: str = "5.1.1", action: str = "failed") -> str:
    """A report part's fields: about the message, then about its one recipient."""
    kind = "rfc822" if recipient.isascii() else "utf-8"  # RFC 6533's address type
    return f"""Reporting-MTA: dns; mx.x.example
Arrival-Date: Wed, 25 Nov 2026 10:00:00 +0000

Final-Recipient: {kind}; {recipient}
Original-Recipient: {kind};{recipient}
Action: {action}
Status: {status}
Remote-MTA: dns; mail.x.example
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected:
    User unknown
"""


def report(
    recipient: str,
    status: str = "5.1.1",
    action: str = "failed",
    *,
    kind: str = "message/delivery-status",
    encoding: str = "",
) -> bytes:
    """A delivery status notification as Postfix writes one (RFC 3464); its report part of
    another type (RFC 6533's message/global-delivery-status) or transfer encoding if given."""
    fields = report_fields(recipient, status, action)
    if encoding:
        data = fields.encode()
        body = base64.encodebytes(data) if encoding == "base64" else quopri.encodestring(data)
        fields = body.decode()
        kind = f"{kind}\nContent-Transfer-Encoding: {encoding}"
    return f"""From: MAILER-DAEMON@mx.x.example (Mail Delivery System)
To: {BOUNCES}
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--B1
Content-Type: {kind}

{fields}
--B1
Content-Type: text/rfc822-headers

From: King's Cuts <offers@kings.example>
Subject: King's Cuts has news for you

--B1--
""".replace("\n", "\r\n").encode()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"bounce_address": BOUNCES})


@pytest.fixture
def paths(settings: Settings) -> ReturnPaths:
    return ReturnPaths(settings.resolved_secret_key, BOUNCES)


@pytest.fixture
def receiver(database: Database, paths: ReturnPaths) -> Iterator[Controller]:
    with serving(database, paths, "127.0.0.1", free_port()) as server:
        yield server


@pytest.fixture
def sent(
    session: Session, shop: Shop, database: Database, settings: Settings, smtp: SmtpServer
) -> Campaign:
    """Al and Bo were sent the campaign; Cy's address was refused while sending."""
    for name in ("Al", "Bo", "Cy"):
        make_person(session, shop=shop, name=name, email=f"{name.lower()}@x.example")
    smtp.refuse.add("cy@x.example")
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "email"})
    campaign = make_campaign(session, shop=shop, segment=segment, send=True)
    run_sender(database, settings)
    return campaign


def return_path(smtp: SmtpServer, address: str) -> str:
    (message,) = smtp.to(address)
    return message.sender


def deliver(server: Controller, to: str | list[str], raw: bytes) -> dict[str, tuple[int, bytes]]:
    """Sends as a reporting MTA does: from the null sender <>; the refused recipients."""
    with smtplib.SMTP(server.hostname, server.port, timeout=10) as client:
        return client.sendmail("", to, raw)


def mark(session: Session, address: str, status: RecipientStatus) -> None:
    """Sets a recipient's status as a sender at another moment would have left it."""
    session.execute(
        update(CampaignRecipient).where(CampaignRecipient.address == address).values(status=status)
    )
    session.commit()


def test_return_paths_are_signed_per_recipient(paths: ReturnPaths) -> None:
    address = paths.address(42)
    local, domain = address.split("@")
    forged = address.replace("+42-", "+43-")

    assert domain == "bounces.kings.example"
    assert local.startswith("bounces+42-")
    assert len(local) <= 64  # RFC 5321's limit on a local part
    assert paths.read(address) == 42
    assert paths.read(f"<{address.upper()}>") == 42  # relays may change the case
    assert paths.read(forged) is None
    assert paths.read(address.replace("@bounces.", "@other.")) is None
    assert ReturnPaths("another-secret-key", BOUNCES).read(address) is None
    for junk in NOT_RETURN_PATHS:
        assert paths.read(junk) is None


def test_campaign_email_goes_out_from_its_recipients_return_path(
    session: Session, sent: Campaign, smtp: SmtpServer, paths: ReturnPaths
) -> None:
    rows = session.execute(
        select(CampaignRecipient.address, CampaignRecipient.id).where(
            CampaignRecipient.campaign_id == sent.id
        )
    ).all()
    ids = dict(rows)

    for address in ("al@x.example", "bo@x.example"):
        envelope_sender = return_path(smtp, address)
        assert paths.read(envelope_sender) == ids[address]
        assert smtp.to(address)[0].message["From"] == "King's Cuts <offers@kings.example>"


def test_a_permanent_report_marks_the_recipient_bounced(
    session: Session,
    shop: Shop,
    sent: Campaign,
    smtp: SmtpServer,
    receiver: Controller,
    client: TestClient,
    owner_headers: dict[str, str],
) -> None:
    refused = deliver(receiver, return_path(smtp, "al@x.example"), report("al@x.example"))
    delayed = deliver(
        receiver, return_path(smtp, "bo@x.example"), report("bo@x.example", "4.4.1", "delayed")
    )
    again = deliver(receiver, return_path(smtp, "al@x.example"), report("al@x.example"))

    assert refused == delayed == again == {}  # accepted
    assert states(session, sent) == {
        "al@x.example": "bounced", "bo@x.example": "sent", "cy@x.example": "bounced",
    }  # fmt: skip
    reason = session.scalar(
        select(CampaignRecipient.reason).where(CampaignRecipient.address == "al@x.example")
    )
    assert reason == f"bounced: 5.1.1 {DIAGNOSTIC}"
    results = client.get(
        f"/api/v1/shops/{shop.slug}/campaigns/{sent.id}/results", headers=owner_headers
    ).json()
    # Al and Bo were sent it; Al's came back later, Cy's was refused while sending
    assert {k: results[k] for k in ("recipients", "sent", "delivered", "bounced")} == {
        "recipients": 3, "sent": 2, "delivered": 1, "bounced": 2,
    }  # fmt: skip


UTF8_ADDRESS = "björn@bücher.example"  # where Bo's mail was forwarded


@pytest.mark.parametrize(
    ("kind", "encoding"),
    [
        ("message/global-delivery-status", ""),  # 8-bit, what a server sends for UTF-8 names
        ("message/global-delivery-status", "base64"),  # across a 7-bit relay
        ("message/global-delivery-status", "quoted-printable"),
        ("message/delivery-status", "base64"),
    ],
    ids=["global-8bit", "global-base64", "global-quoted-printable", "base64"],
)
def test_utf8_and_encoded_reports_are_read_too(
    session: Session,
    sent: Campaign,
    smtp: SmtpServer,
    receiver: Controller,
    kind: str,
    encoding: str,
) -> None:
    raw = report(UTF8_ADDRESS, kind=kind, encoding=encoding)

    (failure,) = dsn.read(raw)
    deliver(receiver, return_path(smtp, "bo@x.example"), raw)

    assert (failure.recipient, failure.status, failure.permanent) == (UTF8_ADDRESS, "5.1.1", True)
    assert failure.diagnostic == DIAGNOSTIC.replace("al@x.example", UTF8_ADDRESS)
    assert states(session, sent)["bo@x.example"] == "bounced"


def crafted(reports: int, recipients: int) -> bytes:
    """A report of many report parts, each about many recipients: cheap to send, costly to
    parse whole."""
    block = "Final-Recipient: rfc822; a@x.example\nAction: failed\nStatus: 5.1.1\n\n"
    head = "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; x\n\n"
    part = head + block * recipients
    text = f'Content-Type: multipart/report; boundary="B"\n\n{part * reports}--B--\n'
    return text.replace("\n", "\r\n").encode()


def test_a_crafted_report_is_read_only_as_far_as_a_real_one_goes(
    session: Session, sent: Campaign, smtp: SmtpServer, receiver: Controller
) -> None:
    many_reports = crafted(reports=14_000, recipients=1)
    many_recipients = crafted(reports=1, recipients=28_000)
    real = crafted(reports=2, recipients=3)

    assert MAX_BYTES * 0.9 < len(many_reports) < MAX_BYTES  # what the receiver takes
    assert MAX_BYTES * 0.9 < len(many_recipients) < MAX_BYTES
    assert len(dsn.read(many_reports)) == dsn.MAX_REPORTS
    assert len(dsn.read(many_recipients)) == dsn.MAX_RECIPIENTS
    assert len(dsn.read(real)) == 6
    assert deliver(receiver, return_path(smtp, "al@x.example"), many_reports) == {}
    assert states(session, sent)["al@x.example"] == "bounced"


def test_a_message_names_one_bounce_address(
    session: Session, sent: Campaign, smtp: SmtpServer, receiver: Controller
) -> None:
    al, bo = return_path(smtp, "al@x.example"), return_path(smtp, "bo@x.example")

    refused = deliver(receiver, [al, bo], report("al@x.example"))

    code, text = refused[bo]
    assert code == 452
    assert b"One bounce address per message" in text
    assert states(session, sent) == {
        "al@x.example": "bounced", "bo@x.example": "sent", "cy@x.example": "bounced",
    }  # fmt: skip


def test_a_report_on_a_message_not_yet_recorded_sent_is_asked_for_again(
    session: Session, sent: Campaign, smtp: SmtpServer, receiver: Controller
) -> None:
    """The sender records a message sent after the SMTP send; a fast report can come first."""
    address = return_path(smtp, "al@x.example")
    mark(session, "al@x.example", RecipientStatus.SENDING)

    with pytest.raises(smtplib.SMTPDataError) as early:
        deliver(receiver, address, report("al@x.example"))
    assert early.value.smtp_code == 451
    assert b"still being sent; try again later" in early.value.smtp_error
    assert states(session, sent)["al@x.example"] == "sending"

    mark(session, "al@x.example", RecipientStatus.SENT)
    assert deliver(receiver, address, report("al@x.example")) == {}  # the server's retry
    assert states(session, sent)["al@x.example"] == "bounced"


def test_a_report_on_a_message_that_failed_is_accepted_and_ignored(
    session: Session, sent: Campaign, smtp: SmtpServer, receiver: Controller
) -> None:
    mark(session, "al@x.example", RecipientStatus.FAILED)

    assert deliver(receiver, return_path(smtp, "al@x.example"), report("al@x.example")) == {}
    assert states(session, sent)["al@x.example"] == "failed"


def test_forged_and_unknown_addresses_are_refused(
    session: Session, sent: Campaign, smtp: SmtpServer, receiver: Controller
) -> None:
    genuine = return_path(smtp, "al@x.example")
    number = genuine.split("+")[1].split("-")[0]
    forged = [
        genuine.replace(f"+{number}-", f"+{int(number) + 1}-"),  # another recipient
        genuine.split("-")[0] + "-0000000000000000@bounces.kings.example",  # no signature
        genuine.replace("bounces.kings.example", "elsewhere.example"),
        "postmaster@bounces.kings.example",
    ]
    for address in forged:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            deliver(receiver, address, report("al@x.example"))
        code, text = refused.value.recipients[address]
        assert code == 550
        assert b"Not a bounce address" in text

    assert states(session, sent)["al@x.example"] == "sent"


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\xff\xfe garbage \r\n\r\n\x80",
        b"Subject: Out of office\r\n\r\nI am away until Monday.\r\n",
        report("al@x.example").replace(b"Status: 5.1.1", b"Status: five"),
        report("al@x.example").replace(b"--B1--", b"").replace(b"Action: failed", b"Act"),
        b'Content-Type: multipart/report; boundary="Z"\r\n\r\n--Z\r\nContent-Type: '
        b"message/delivery-status\r\n\r\n\r\n",
        b"Content-Type: message/delivery-status\r\n\r\nFinal-Recipient: x\r\n\r\nStatus: 5.",
    ],
    ids=["binary", "auto-reply", "bad-status", "truncated", "empty-report", "bare-report"],
)
def test_malformed_mail_is_accepted_and_ignored_and_the_server_keeps_going(
    session: Session, sent: Campaign, smtp: SmtpServer, receiver: Controller, raw: bytes
) -> None:
    address = return_path(smtp, "al@x.example")

    assert deliver(receiver, address, raw) == {}
    assert states(session, sent)["al@x.example"] == "sent"

    deliver(receiver, address, report("al@x.example"))  # and the next report is read
    assert states(session, sent)["al@x.example"] == "bounced"


def test_the_bounces_command_receives_reports_until_sigterm(
    session: Session, sent: Campaign, smtp: SmtpServer, settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    with (tmp_path / "bounces.log").open("ab") as log:
        process = subprocess.Popen(
            [BARBERBOT, "campaigns", "bounces", "--port", str(port)],
            env=settings_env(settings),
            stdout=log,
            stderr=log,
        )
        try:
            wait_for_port(port)
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.sendmail("", [return_path(smtp, "bo@x.example")], report("bo@x.example"))
            wait_until(lambda: states(session, sent)["bo@x.example"] == "bounced", 10, "bounced")
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
        finally:
            terminate(process)


def test_the_bounces_command_needs_a_bounce_address(settings: Settings) -> None:
    env = settings_env(settings.model_copy(update={"bounce_address": ""}))

    result = CliRunner().invoke(cli, ["campaigns", "bounces"], env=env)

    assert result.exit_code == 2
    assert "BARBERBOT_BOUNCE_ADDRESS" in result.output
