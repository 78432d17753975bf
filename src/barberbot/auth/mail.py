"""The account e-mails: a password-reset link, and word of too many failed sign-ins.

Sent through the one transport after the answer (a background task), so the page answers
alike, and as fast, whether or not the address has an account.
"""

from __future__ import annotations

import logging

from barberbot.auth import attempts, resets
from barberbot.core.settings import Settings
from barberbot.messaging.errors import SendFailed, Unavailable
from barberbot.messaging.messages import Email
from barberbot.messaging.transport import transport_for
from barberbot.models import User

log = logging.getLogger("barberbot.auth")


def reset_email(user: User, link: str) -> Email:
    body = (
        f"Hello{' ' + user.name if user.name else ''},\n\n"
        "Someone (we hope you) asked to set a new password for your BarberBot account.\n"
        f"Choose a new one here (the link works once, for {_hours()}):\n\n{link}\n\n"
        "Setting it signs you out everywhere. If you did not ask, ignore this e-mail: "
        "your password stays as it is.\n"
    )
    return Email(user.email, "Set a new BarberBot password", body)


def locked_email(user: User, forgot_link: str) -> Email:
    minutes = int(attempts.WINDOW.total_seconds() // 60)
    body = (
        f"Hello{' ' + user.name if user.name else ''},\n\n"
        f"Someone tried to sign in to your BarberBot account with a wrong password "
        f"{attempts.LIMIT} times in {minutes} minutes, so signing in to it is paused for a "
        "while.\n\nIf that was you, wait a few minutes, or set a new password here:\n"
        f"{forgot_link}\n\nIf it was not you, your password held; choosing a longer one "
        "makes guessing it harder still.\n"
    )
    return Email(user.email, "Failed sign-ins to your BarberBot account", body)


def _hours() -> str:
    hours = int(resets.VALID_FOR.total_seconds() // 3600)
    return "an hour" if hours == 1 else f"{hours} hours"


def send(settings: Settings, email: Email) -> None:
    """Send now; a failure is logged (the person can ask again), never raised."""
    transport = transport_for(settings)
    try:
        transport.send(email)
    except (SendFailed, Unavailable) as error:
        log.warning("account e-mail not sent", extra={"error": str(error)})
    finally:
        transport.close()
