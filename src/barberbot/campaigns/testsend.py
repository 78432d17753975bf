"""A test send: the message made for a real customer, sent to the owner instead."""

from __future__ import annotations

from barberbot.campaigns.email import Email, SmtpMailer
from barberbot.campaigns.sms import provider_for
from barberbot.campaigns.templates import Rendered
from barberbot.core.settings import Settings
from barberbot.models import Channel


def send_test(settings: Settings, channel: str, to: str, rendered: Rendered) -> None:
    """Raises SendFailed or Unavailable, with the reason, if it did not go."""
    if channel == Channel.EMAIL:
        mailer = SmtpMailer(settings)
        try:
            mailer.send(Email(to, f"[TEST] {rendered.subject}", rendered.body))
        finally:
            mailer.close()
        return
    provider = provider_for(settings)
    try:
        provider.send(to, f"[TEST] {rendered.body}")
    finally:
        provider.close()
