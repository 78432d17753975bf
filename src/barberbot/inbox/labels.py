"""The inbox's words for owners: statuses, outcomes, where an inquiry came from, how a reply
is doing. Pages, e-mails and reports say these, never the stored values."""

from __future__ import annotations

from barberbot.core.choices import InquiryStatus, Outcome, Source
from barberbot.models import Channel, RecipientStatus, ReplyStatus

STATUS: dict[str, str] = {
    InquiryStatus.NEW: "New",
    InquiryStatus.OPEN: "Open",
    InquiryStatus.WAITING: "Waiting on customer",
    InquiryStatus.BOOKED: "Booked",
    InquiryStatus.CLOSED: "Closed",
    InquiryStatus.SPAM: "Spam",
}
OUTCOME: dict[str, str] = {
    Outcome.BOOKED: "booked",
    Outcome.NOT_INTERESTED: "not interested",
    Outcome.NO_ANSWER: "no answer",
    Outcome.DUPLICATE: "duplicate",
}
SOURCE: dict[str, str] = {
    Source.WEB_FORM: "the form on your website",
    Source.API: "the API",
    Source.DESKTOP: "the counter app",
    Source.IMPORT: "an import",
}
CHANNEL: dict[str, str] = {Channel.EMAIL: "e-mail", Channel.SMS: "text message"}
REPLY: dict[str, str] = {
    ReplyStatus.QUEUED: "Queued — waiting to be sent",
    ReplyStatus.SENDING: "Sending",
    ReplyStatus.SENT: "Sent",
    ReplyStatus.FAILED: "Not sent",
}

RECIPIENT: dict[str, str] = {
    RecipientStatus.QUEUED: "waiting to be sent",
    RecipientStatus.SENDING: "being sent",
    RecipientStatus.SENT: "sent",
    RecipientStatus.FAILED: "could not be sent",
    RecipientStatus.BOUNCED: "bounced",
    RecipientStatus.UNSUBSCRIBED: "unsubscribed from it",
}


def status(value: str, outcome: str | None = None) -> str:
    """'Waiting on customer', 'Closed — not interested'."""
    label = STATUS.get(value, value)
    if value == InquiryStatus.CLOSED and outcome:
        return f"{label} — {outcome_label(outcome)}"
    return label


def outcome_label(value: str) -> str:
    return OUTCOME.get(value, value.replace("_", " "))


def source(value: str) -> str:
    return SOURCE.get(value, value.replace("_", " "))


def channel(value: str) -> str:
    return CHANNEL.get(value, value)


def reply_status(value: str) -> str:
    return REPLY.get(value, value)


def recipient(value: str) -> str:
    return RECIPIENT.get(value, value)


# The status form's choices, in the order things usually go: a closed inquiry's outcome is
# part of its choice ("closed:no_answer"), so the form cannot forget it.
CHOICES: tuple[tuple[str, str], ...] = (
    *(
        (s.value, STATUS[s])
        for s in (
            InquiryStatus.NEW,
            InquiryStatus.OPEN,
            InquiryStatus.WAITING,
            InquiryStatus.BOOKED,
        )
    ),
    *(
        (f"{InquiryStatus.CLOSED.value}:{o.value}", status(InquiryStatus.CLOSED, o))
        for o in Outcome
    ),
    (InquiryStatus.SPAM.value, STATUS[InquiryStatus.SPAM]),
)
