"""Reading a bounce report: an RFC 3464 delivery status notification, whatever arrives.

Mail to a bounce address can be anything (an auto-reply, spam, a broken report): only a
`message/delivery-status` part (or RFC 6533's `message/global-delivery-status`) is read,
nothing in it can raise, and no more of it is read than a real report has.
"""

from __future__ import annotations

import email.policy
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import BytesFeedParser
from email.policy import Policy
from itertools import islice

log = logging.getLogger("barberbot.campaigns")
STATUS = re.compile(r"^([245])\.\d{1,3}\.\d{1,3}$")
# A report part's own type, renamed so that the parser leaves it as it came (it would read a
# message/global-delivery-status part as a message, its transfer encoding undone by nobody)
REPORT_TYPE = re.compile(
    rb"(?im)^(content-type:[ \t]*(?:\r?\n[ \t]+)?)message/((?:global-)?delivery-status)\b"
)
REPORTS = (
    "application/x-barberbot-delivery-status",
    "application/x-barberbot-global-delivery-status",
)
BLANK_LINE = re.compile(rb"\r?\n[ \t]*\r?\n")
FOLD = re.compile(r"\r?\n(?=[ \t])")
# A real report is one part about a few recipients, with the message it is about
MAX_PARTS = 100  # MIME parts parsed: what the parser spends its time on
MAX_REPORTS = 10
MAX_RECIPIENTS = 100  # per message, over all its reports
CHUNK = 16 * 1024  # parsed at a time, so that parsing stops soon after MAX_PARTS


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
    """The per-recipient lines of a report (at most MAX_RECIPIENTS); [] if it is not one or
    cannot be read."""
    try:
        message = _parse(REPORT_TYPE.sub(rb"\1application/x-barberbot-\2", raw))
        reports = (part for part in message.walk() if part.get_content_type() in REPORTS)
        blocks = (block for part in islice(reports, MAX_REPORTS) for block in _recipients(part))
        return [found for block in islice(blocks, MAX_RECIPIENTS) if (found := _failure(block))]
    except Exception:  # a malformed message is ignored, never a crash
        log.warning("unreadable bounce report", exc_info=True)
        return []


class _Counted:
    """The parser's message factory, counting the MIME parts it made."""

    def __init__(self) -> None:
        self.parts = 0

    def __call__(self, policy: Policy) -> EmailMessage:
        self.parts += 1
        return EmailMessage(policy=policy)


def _parse(raw: bytes) -> Message:
    """The message, its first MAX_PARTS MIME parts (and what the last chunk held)."""
    counted = _Counted()
    parser = BytesFeedParser(policy=email.policy.default.clone(message_factory=counted))
    for start in range(0, len(raw), CHUNK):
        if counted.parts > MAX_PARTS:
            log.warning("bounce report of too many parts, read in part", extra={"bytes": len(raw)})
            break
        parser.feed(raw[start : start + CHUNK])
    return parser.close()


def _recipients(part: Message) -> Iterator[dict[str, str]]:
    """A report's per-recipient field blocks (after its per-message one), its transfer
    encoding (base64, quoted-printable) undone."""
    text = part.get_payload(decode=True)
    if not isinstance(text, bytes):
        return iter(())
    chunks = BLANK_LINE.split(text, maxsplit=MAX_RECIPIENTS + 1)[: MAX_RECIPIENTS + 1]
    blocks = (_fields(chunk.decode("utf-8", "replace")) for chunk in chunks if chunk.strip())
    return islice(blocks, 1, None)


def _fields(block: str) -> dict[str, str]:
    """A block's fields by lower-case name (the first of each), folded lines unfolded."""
    fields: dict[str, str] = {}
    for line in FOLD.sub(" ", block).split("\n"):
        name, colon, value = line.partition(":")
        if colon:
            fields.setdefault(name.strip().lower(), " ".join(value.split()))
    return fields


def _failure(block: dict[str, str]) -> Failure | None:
    status = block.get("status", "").split(" ")[0]
    if not STATUS.match(status):
        return None
    recipient = block.get("final-recipient", "").partition(";")[2].strip()
    diagnostic = block.get("diagnostic-code", "").partition(";")[2].strip()
    return Failure(recipient, block.get("action", "").lower(), status, diagnostic)
