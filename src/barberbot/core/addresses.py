"""E-mail addresses checked by a real validator (`email-validator`: the syntax of RFC 5322 and
internationalised addresses, no look-up of the domain), so nothing that is not one address
reaches a header: no line breaks, no second address, no display name."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254


class AddressInvalid(ValueError):
    pass


def email_address(text: str) -> str:
    """The address, normalised (the domain in lower case); AddressInvalid says why not."""
    cleaned = text.strip()
    if any(c in cleaned for c in "\r\n") or len(cleaned) > MAX_LENGTH:
        raise AddressInvalid(f"Enter one e-mail address like name@example.com, not {text!r}.")
    try:
        return validate_email(cleaned, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise AddressInvalid(f"Not an e-mail address ({error}).") from None
