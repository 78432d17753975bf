"""The settings choose the way out: a mail server and an SMS provider, else the local outbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from barberbot.core.settings import Settings
from barberbot.messaging.messages import Email, Sms
from barberbot.messaging.outbox import LocalOutbox
from barberbot.messaging.smtp import SmtpMailer
from barberbot.messaging.transport import transport_for
from barberbot.messaging.twilio import TwilioSms
from barberbot.models import Channel
from tests.support.smtp import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def test_the_embedded_default_keeps_every_message_in_the_local_outbox(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    transport = transport_for(settings)

    assert settings.smtp_host == ""
    assert settings.sms_provider == "outbox"
    assert isinstance(transport.email, LocalOutbox)
    assert transport.sms is transport.email
    assert transport.email.folder == tmp_path / "outbox"
    sent = transport.send(Email("al@x.example", "Hi", "Kept", shop_id=1))
    assert sent.kept_locally
    assert transport.send(Sms("+447700900101", "Kept too", shop_id=1)).kept_locally
    assert len(transport.email.entries({1}, limit=10)) == 2
    transport.close()


def test_a_mail_server_and_a_provider_set_up_are_used(tmp_path: Path) -> None:
    settings = Settings(
        _env_file=None, data_dir=tmp_path, smtp_host="smtp.example.com", sms_provider="twilio"
    )
    transport = transport_for(settings)

    assert isinstance(transport.email, SmtpMailer)
    assert isinstance(transport.sms, TwilioSms)
    assert not transport.keeps_locally(Channel.EMAIL)
    assert not transport.keeps_locally(Channel.SMS)
    transport.close()


def test_with_smtp_set_up_an_email_goes_to_the_server_and_not_to_the_outbox(
    settings: Settings, smtp: SmtpServer
) -> None:
    configured = settings.model_copy(update={"smtp_host": smtp.host, "smtp_port": smtp.port})
    transport = transport_for(configured)
    try:
        sent = transport.send(Email("al@x.example", "Hi", "For real", shop_id=1))
    finally:
        transport.close()

    assert not sent.kept_locally
    [received] = smtp.messages()
    assert received.recipients == ["al@x.example"]
    assert received.message["Message-ID"] == sent.id
    assert "X-BarberBot-Shop" not in received.message  # the outbox's own bookkeeping
    assert not configured.resolved_local_outbox_dir.exists()


def test_a_message_id_given_by_the_caller_is_kept_for_threading(
    settings: Settings, smtp: SmtpServer
) -> None:
    """A reply records its Message-ID before it goes, and threads under the customer's."""
    configured = settings.model_copy(update={"smtp_host": smtp.host, "smtp_port": smtp.port})
    transport = transport_for(configured)
    reply = Email(
        "al@x.example",
        "Re: Saturday?",
        "Yes, 10:30 is free.",
        headers={"In-Reply-To": "<q1@x.example>", "References": "<q1@x.example>"},
        shop_id=1,
        message_id="<reply-1@barberbot.local>",
    )
    try:
        sent = transport.send(reply)
    finally:
        transport.close()

    assert sent.id == "<reply-1@barberbot.local>"
    message = smtp.messages()[0].message
    assert message["Message-ID"] == "<reply-1@barberbot.local>"
    assert message["In-Reply-To"] == "<q1@x.example>"


def test_backends_given_by_the_caller_are_left_open(tmp_path: Path) -> None:
    class Counting(LocalOutbox):
        closed = 0

        def close(self) -> None:
            self.closed += 1

    settings = Settings(_env_file=None, data_dir=tmp_path)
    mine = Counting(tmp_path / "mine", "me@x.example")
    transport_for(settings, email=mine).close()
    assert mine.closed == 0
