"""How e-mails and phones are compared: the same customer whatever the spelling."""

from __future__ import annotations

import re

EMAIL = "email"
PHONE = "phone"


def email_key(email: str) -> str:
    return email.strip().casefold()


def phone_key(phone: str) -> str:
    """Digits only: '+44 7700 900123' and '447700900123' are one number.

    Capture stores E.164 (a national number read in the shop's country), so these are the
    digits of the E.164 form and '07700 900123' typed in a British shop matches too. Digits
    rather than the E.164 text: an SMS gateway may name the sender without its '+'.
    """
    return re.sub(r"\D", "", phone)


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else name
