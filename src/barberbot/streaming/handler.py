"""The worker's pure handler: a batch of raw messages in, rows stored and dead letters out.

It knows nothing of Kafka: the consumer loop hands it plain records and a session, and
commits the session (then the offsets) itself.

Custom answers are checked against the version of the shop's form the message names (the
one they were answered against), with the same rules as every other entry point, and their
documents are saved by the answer store in the batch, before the caller commits: with MongoDB
the documents are written first, so no row commits without its document. Saving is
idempotent (a redelivery writes nothing new) and is repeated for redelivered inquiries too,
so an inquiry's row and its document converge whichever of the two a crash left behind. The
store being down raises `AnswersUnavailable`: an outage to retry, not a bad message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.forms import service as forms
from barberbot.forms.definition import NO_FORM, FormDefinition
from barberbot.forms.store import AnswerStore, SqlAnswerStore
from barberbot.inquiries import writer
from barberbot.inquiries.capture import Capture, prepare
from barberbot.inquiries.rules import InquiryInvalid, validate_inquiry
from barberbot.inquiries.writer import IdempotencyConflict
from barberbot.models import Shop
from barberbot.shops import inquiry_types
from barberbot.streaming.messages import BadMessage, InquiryMessage, decode


@dataclass(frozen=True)
class Record:
    """One message as read from the topic."""

    value: bytes | None
    key: bytes | None = None
    partition: int = -1
    offset: int = -1


@dataclass(frozen=True)
class DeadLetter:
    record: Record
    reason: str


@dataclass
class BatchResult:
    """Every message of a batch is counted once: stored, redelivered or dead."""

    stored: int = 0
    redelivered: int = 0  # its inquiry was stored already, with the same content
    dead: list[DeadLetter] = field(default_factory=list)


def handle(
    session: Session, records: Sequence[Record], answers: AnswerStore | None = None
) -> BatchResult:
    """Validate every message with the shared rules and store the good ones through the one
    writer; a message whose id was stored with other content is dead-lettered, as the API
    answers such a repeat 409."""
    result = BatchResult()
    decoded: list[tuple[Record, InquiryMessage]] = []
    for record in records:
        try:
            decoded.append((record, decode(record.value)))
        except BadMessage as error:
            result.dead.append(DeadLetter(record, str(error)))
    shops = _shops_by_slug(session, {message.shop for _, message in decoded})
    forms_used = _Forms(session)
    captured: list[tuple[Record, Capture]] = []
    for record, message in decoded:
        try:
            captured.append((record, _capture(shops.get(message.shop), message, forms_used)))
        except BadMessage as error:
            result.dead.append(DeadLetter(record, str(error)))
    captures = [capture for _, capture in captured]
    outcomes = writer.write(session, captures, answers or SqlAnswerStore())
    for (record, capture), outcome in zip(captured, outcomes, strict=True):
        if isinstance(outcome, IdempotencyConflict):
            reason = f"conflicting duplicate: inquiry {capture.id} was stored with other content"
            result.dead.append(DeadLetter(record, reason))
        elif outcome.replayed:
            result.redelivered += 1
        else:
            result.stored += 1
    return result


def _shops_by_slug(session: Session, slugs: set[str]) -> dict[str, Shop]:
    if not slugs:
        return {}
    return {shop.slug: shop for shop in session.scalars(select(Shop).where(Shop.slug.in_(slugs)))}


class _Forms:
    """The form versions a batch names, each read once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._found: dict[tuple[int, int | None], FormDefinition | None] = {}

    def get(self, shop: Shop, number: int | None) -> FormDefinition | None:
        key = (shop.id, number)
        if key not in self._found:
            if number is None:
                self._found[key] = forms.current(self.session, shop)
            elif number == 0:
                self._found[key] = NO_FORM
            else:
                self._found[key] = forms.version(self.session, shop, number)
        return self._found[key]


def _capture(shop: Shop | None, message: InquiryMessage, forms_used: _Forms) -> Capture:
    if shop is None:
        raise BadMessage(f"unknown shop {message.shop!r}")
    form = forms_used.get(shop, message.form_version)
    if form is None:
        raise BadMessage(f"unknown form version {message.form_version} of shop {shop.slug!r}")
    try:
        data = validate_inquiry(
            message.inquiry, inquiry_types.offered(shop), form, country=shop.country
        )
    except InquiryInvalid as invalid:
        raise BadMessage(f"invalid inquiry: {invalid}") from None
    return prepare(
        shop,
        data,
        source=message.source,
        form_version=form.version,
        inquiry_id=message.id,
        received_at=message.received_at,
    )
