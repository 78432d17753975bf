"""E-mail over SMTP: one connection kept open across a campaign, STARTTLS and login if set."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from barberbot.campaigns.delivery import SendFailed, Unavailable
from barberbot.core.settings import Settings

IDLE_CHECK_SECONDS = 5


class Mailer(Protocol):
    def send(self, email: Email) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    unsubscribe_url: str | None = None
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    return_path: str | None = None  # the envelope sender (VERP); None: the From address


def build(email: Email, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="barberbot.local")
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    if email.unsubscribe_url:  # RFC 2369 and RFC 8058: the mail client's one-click button
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.body)
    return message


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._last_used = 0.0

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_username:
                password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                smtp.login(s.smtp_username, password)
        except smtplib.SMTPAuthenticationError as error:
            raise Unavailable(f"SMTP login refused: {error.smtp_code}") from None
        except (OSError, smtplib.SMTPException) as error:
            raise Unavailable(f"SMTP server {s.smtp_host}:{s.smtp_port}: {error}") from None
        return smtp

    def send(self, email: Email) -> None:
        message = build(email, self.settings.mail_from)
        idle = time.monotonic() - self._last_used
        # a server may drop an idle connection: look before sending, not halfway through
        if self._smtp is None or (idle > IDLE_CHECK_SECONDS and not self._alive(self._smtp)):
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message, from_addr=email.return_path)
            self._last_used = time.monotonic()
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            reason = f"{code} {text.decode(errors='replace')}"
            raise SendFailed(reason, bounced=code >= 500) from None
        except smtplib.SMTPResponseException as error:
            raise SendFailed(f"{error.smtp_code} {error.smtp_error!r}") from None
        except (OSError, smtplib.SMTPException) as error:
            # the connection broke mid-message: it may have arrived, so it is not sent again
            self._smtp = None
            raise SendFailed(f"connection lost while sending: {error}") from None

    @staticmethod
    def _alive(smtp: smtplib.SMTP) -> bool:
        try:
            return smtp.noop()[0] == 250
        except (OSError, smtplib.SMTPException):
            return False

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._smtp = None
