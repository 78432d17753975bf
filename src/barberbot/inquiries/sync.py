"""Taking in inquiries captured offline (the desktop app), each under its own id.

A client sends what it saved while offline, in batches; every inquiry carries the id the client
gave it, which is also its idempotency key. Sending a batch again, after a lost answer or a
restart, stores nothing twice. Each inquiry gets its own verdict, so one the shop no longer
accepts (say, an inquiry type it stopped offering) does not hold back the rest.

Custom answers are checked against the version of the shop's form the client answered (its
cached copy, `form_version`), with the same rules as every other entry point; a client from
before forms sends no version, and its answers (if any) are checked against the current form.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session

from barberbot.forms import service as forms
from barberbot.forms.definition import NO_FORM, FormDefinition
from barberbot.inquiries import writer
from barberbot.inquiries.capture import Capture, prepare
from barberbot.inquiries.intake import Accepted, Intake
from barberbot.inquiries.rules import InquiryInvalid, validate_inquiry
from barberbot.inquiries.writer import IdempotencyConflict
from barberbot.models import Shop, Source
from barberbot.models.base import INT_MAX, utcnow
from barberbot.shops import inquiry_types

BATCH_MAX = 100


class SyncItem(BaseModel):
    id: uuid.UUID = Field(description="The client's id for the inquiry; also its idempotency key.")
    captured_at: AwareDatetime = Field(description="When the customer made the inquiry.")
    inquiry: dict[str, Any] = Field(description="The inquiry's fields, as for a single capture.")
    form_version: int | None = Field(
        default=None,
        ge=0,
        le=INT_MAX,
        description="The version of the shop's form its `inquiry.answers` were given against "
        "(0: no form); left out, the current form.",
    )


class SyncBatch(BaseModel):
    inquiries: list[SyncItem] = Field(min_length=1, max_length=BATCH_MAX)


class Outcome(StrEnum):
    STORED = "stored"  # stored now
    QUEUED = "queued"  # queued for the central store (Kafka configured)
    DUPLICATE = "duplicate"  # sent before; nothing new stored
    REJECTED = "rejected"  # against the rules; `errors` says why; sending again will not help


class SyncResult(BaseModel):
    id: uuid.UUID
    status: Outcome
    errors: dict[str, str] = Field(default_factory=dict)


class SyncReport(BaseModel):
    results: list[SyncResult]


def accept_batch(
    session: Session, shop: Shop, intake: Intake, items: Sequence[SyncItem]
) -> SyncReport:
    """Accept each inquiry of a batch under its own id; the caller commits.

    An id stored before is a duplicate whatever the shop accepts today (so an inquiry type
    retired since does not turn a resend into a rejection); the rest are validated and go to
    the intake together, which judges them by the same idempotency record as every path.
    """
    earlier = writer.shops_of(session, [item.id for item in items])
    versions: dict[int | None, FormDefinition | None] = {}
    results: list[SyncResult | None] = []
    captures: list[tuple[int, Capture]] = []  # (its place in the batch, the capture)
    for item in items:
        if item.form_version not in versions:
            versions[item.form_version] = _form(session, shop, item.form_version)
        if earlier.get(item.id) == shop.id:
            results.append(SyncResult(id=item.id, status=Outcome.DUPLICATE))
            continue
        try:
            captures.append((len(results), _capture(shop, item, versions[item.form_version])))
            results.append(None)
        except InquiryInvalid as invalid:
            errors = invalid.errors
            results.append(SyncResult(id=item.id, status=Outcome.REJECTED, errors=errors))
    outcomes = intake.accept(session, shop, [capture for _, capture in captures])
    for (place, capture), outcome in zip(captures, outcomes, strict=True):
        results[place] = _result(capture.id, outcome)
    return SyncReport(results=[result for result in results if result is not None])


def _form(session: Session, shop: Shop, number: int | None) -> FormDefinition | None:
    if number is None:
        return forms.current(session, shop)
    return NO_FORM if number == 0 else forms.version(session, shop, number)


def _capture(shop: Shop, item: SyncItem, form: FormDefinition | None) -> Capture:
    if form is None:
        raise InquiryInvalid(
            {"form_version": f"The shop's form has no version {item.form_version}."}
        )
    data = validate_inquiry(item.inquiry, inquiry_types.offered(shop), form, country=shop.country)
    return prepare(
        shop,
        data,
        source=Source.DESKTOP,
        form_version=form.version,
        inquiry_id=item.id,
        received_at=_not_in_future(item.captured_at),
    )


def _result(inquiry_id: uuid.UUID, outcome: Accepted | IdempotencyConflict) -> SyncResult:
    if isinstance(outcome, IdempotencyConflict):
        errors = {"id": str(outcome)}
        return SyncResult(id=inquiry_id, status=Outcome.REJECTED, errors=errors)
    if outcome.replayed:
        return SyncResult(id=inquiry_id, status=Outcome.DUPLICATE)
    status = Outcome.QUEUED if outcome.queued else Outcome.STORED
    return SyncResult(id=inquiry_id, status=status)


def _not_in_future(captured_at: datetime) -> datetime:
    """A counter laptop's clock may run fast; an inquiry cannot arrive after it is received."""
    return min(captured_at, utcnow())
