"""The one way out for every message: `transport_for(settings).send(message)`.

E-mail goes to the mail server (BARBERBOT_SMTP_HOST) or, with none set up, to the local
outbox; SMS to the provider (BARBERBOT_SMS_PROVIDER=twilio) or the local outbox. Whoever sends
(campaigns, replies, acknowledgements, notifications) builds an `Email` or `Sms` with its shop,
sends it here, and records the `Sent` or the error (`Unavailable`: nothing went, try later;
`SendFailed`: not delivered, or in doubt, never retried).
"""

from __future__ import annotations

from typing import Protocol

from barberbot.core.settings import Settings
from barberbot.messaging.messages import Email, Message, Sent, Sms
from barberbot.messaging.outbox import LocalOutbox
from barberbot.messaging.smtp import SmtpMailer
from barberbot.messaging.twilio import TwilioSms
from barberbot.models import Channel


class EmailBackend(Protocol):
    def send_email(self, email: Email) -> str:
        """Send; returns the message's id. Raises SendFailed or Unavailable."""
        ...

    def close(self) -> None: ...


class SmsBackend(Protocol):
    def send_sms(self, sms: Sms) -> str:
        """Send; returns the provider's message id. Raises SendFailed or Unavailable."""
        ...

    def close(self) -> None: ...


class Transport:
    """E-mail to one backend, SMS to another (the local outbox may be both)."""

    def __init__(
        self, email: EmailBackend, sms: SmsBackend, *, owned: tuple[object, ...] = ()
    ) -> None:
        self.email = email
        self.sms = sms
        self._owned = owned  # the backends it opened, so closes; a caller closes its own

    def keeps_locally(self, channel: str) -> bool:
        """Whether messages on this channel only land in the local outbox."""
        backend = self.email if channel == Channel.EMAIL else self.sms
        return isinstance(backend, LocalOutbox)

    def send(self, message: Message) -> Sent:
        if isinstance(message, Email):
            return Sent(self.email.send_email(message), self.keeps_locally(Channel.EMAIL))
        return Sent(self.sms.send_sms(message), self.keeps_locally(Channel.SMS))

    def close(self) -> None:
        closed: list[object] = []
        for backend in (self.email, self.sms):
            if any(backend is o for o in self._owned) and not any(backend is c for c in closed):
                backend.close()
                closed.append(backend)


def local_outbox(settings: Settings) -> LocalOutbox:
    return LocalOutbox(settings.resolved_local_outbox_dir, settings.mail_from)


def transport_for(
    settings: Settings, *, email: EmailBackend | None = None, sms: SmsBackend | None = None
) -> Transport:
    """The backends the settings choose; `email` or `sms` given: used instead (and left open)."""
    outbox = local_outbox(settings)
    opened: list[object] = []
    if email is None:
        email = SmtpMailer(settings) if settings.has_mail_server else outbox
        opened.append(email)
    if sms is None:
        sms = _sms_backend(settings, outbox)
        opened.append(sms)
    return Transport(email, sms, owned=tuple(opened))


def _sms_backend(settings: Settings, outbox: LocalOutbox) -> SmsBackend:
    if settings.sms_provider == "twilio":
        token = settings.sms_auth_token.get_secret_value() if settings.sms_auth_token else ""
        return TwilioSms(
            settings.sms_api_base_url, settings.sms_account_sid, token, settings.sms_from
        )
    return outbox
