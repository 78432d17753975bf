"""E-mail over SMTP: one connection kept open across many messages, STARTTLS and login if set."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
import time

from barberbot.core.settings import Settings
from barberbot.messaging.errors import SendFailed, Unavailable
from barberbot.messaging.messages import Email, build

IDLE_CHECK_SECONDS = 5


class SmtpMailer:
    """The e-mail backend where a mail server is set up (BARBERBOT_SMTP_HOST)."""

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

    def send_email(self, email: Email) -> str:
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
        return str(message["Message-ID"])

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
