"""The messages a transport takes: an e-mail or an SMS, each for a shop."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr

MESSAGE_ID_DOMAIN = "barberbot.local"


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str  # plain text, always there
    unsubscribe_url: str | None = None
    reply_to: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # e.g. In-Reply-To, References
    return_path: str | None = None  # the envelope sender (VERP); None: the From address
    shop_id: int | None = None  # whose message: the local outbox shows it to that shop only
    html: str | None = None  # an HTML alternative of the body
    message_id: str | None = None  # given by a caller that records it first (threading)
    sender_name: str | None = None  # the From's name (the shop's), at the configured address


@dataclass(frozen=True)
class Sms:
    to: str
    body: str
    shop_id: int | None = None


Message = Email | Sms


@dataclass(frozen=True)
class Sent:
    """What became of a message that went: its id, and whether it was only kept locally."""

    id: str  # the e-mail's Message-ID, the SMS provider's id, or the local outbox entry's
    kept_locally: bool


def new_message_id(domain: str = MESSAGE_ID_DOMAIN) -> str:
    return make_msgid(domain=domain)


def domain_of(sender: str) -> str:
    """The domain of a From such as `BarberBot <mail@example.com>`, for Message-IDs."""
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or MESSAGE_ID_DOMAIN


def build(email: Email, sender: str) -> EmailMessage:
    message = EmailMessage()
    if email.sender_name:
        sender = formataddr((email.sender_name, parseaddr(sender)[1]))
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = email.message_id or new_message_id()
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    if email.unsubscribe_url:  # RFC 2369 and RFC 8058: the mail client's one-click button
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in email.headers.items():
        message[name] = value
    message.set_content(email.body)
    if email.html is not None:
        message.add_alternative(email.html, subtype="html")
    return message
