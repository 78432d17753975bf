"""Reading a bounce report: an RFC 3464 delivery status notification, whatever arrives.

Mail to a bounce address can be anything (an auto-reply, spam, a broken report): only a
`message/delivery-status` part is read, and nothing in it can raise.
"""

from __future__ import annotations

import email
import email.policy
import logging
import re
from dataclasses import dataclass
from email.message import Message

log = logging.getLogger("barberbot.campaigns")
STATUS = re.compile(r"^([245])\.\d{1,3}\.\d{1,3}$")
REPORTS = ("message/delivery-status", "message/global-delivery-status")


@dataclass(frozen=True)
class Failure:
    """One recipient's line of a report."""

    recipient: str
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # 5.1.1
    diagnostic: str

    @property
    def permanent(self) -> bool:
        return self.action == "failed" and self.status.startswith("5.")

    @property
    def reason(self) -> str:
        return f"bounced: {self.status} {self.diagnostic}".strip()[:500]


def read(raw: bytes) -> list[Failure]:
    """The per-recipient lines of a report; [] if it is not one or cannot be read."""
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        return [
            failure
            for part in message.walk()
            if part.get_content_type() in REPORTS
            for failure in _lines(_blocks(part))
        ]
    except Exception:  # a malformed message is ignored, never a crash
        log.warning("unreadable bounce report", exc_info=True)
        return []


def _blocks(part: Message) -> list[Message]:
    """The report's field blocks. Python's parser splits a message/delivery-status part into
    them; a message/global-delivery-status one (RFC 6533, UTF-8) it reads as a message: the
    first block as its headers, the others as its text."""
    payload = part.get_payload()
    if not isinstance(payload, list):
        return []
    if part.get_content_type() == "message/delivery-status":
        return [block for block in payload if isinstance(block, Message)]
    inner = payload[0] if payload else None
    text = inner.get_payload(decode=True) if isinstance(inner, Message) else None
    if not isinstance(text, bytes):
        return []
    chunks = re.split(rb"\r?\n\s*\r?\n", text)
    assert isinstance(inner, Message)
    return [inner, *(email.message_from_bytes(c, policy=email.policy.default) for c in chunks)]


def _lines(blocks: list[Message]) -> list[Failure]:
    found = []
    for block in blocks[1:]:  # the first block is about the whole message
        status = _field(block, "Status").split(" ")[0]
        if not STATUS.match(status):
            continue
        recipient = _field(block, "Final-Recipient").partition(";")[2].strip()
        diagnostic = _field(block, "Diagnostic-Code").partition(";")[2].strip()
        found.append(Failure(recipient, _field(block, "Action").lower(), status, diagnostic))
    return found


def _field(block: Message, name: str) -> str:
    return " ".join(str(block.get(name, "")).split())
