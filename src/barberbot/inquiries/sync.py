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
from barberbot.inquiries import service
from barberbot.inquiries.intake import Intake
from barberbot.inquiries.rules import InquiryInvalid, validate_inquiry
from barberbot.models import Inquiry, Shop, Source
from barberbot.models.base import utcnow

BATCH_MAX = 100


class SyncItem(BaseModel):
    id: uuid.UUID = Field(description="The client's id for the inquiry; also its idempotency key.")
    captured_at: AwareDatetime = Field(description="When the customer made the inquiry.")
    inquiry: dict[str, Any] = Field(description="The inquiry's fields, as for a single capture.")
    form_version: int | None = Field(
        default=None,
        ge=0,
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
    """Accept each inquiry of a batch under its own id; the caller commits."""
    versions: dict[int | None, FormDefinition | None] = {}
    results = []
    for item in items:
        if item.form_version not in versions:
            versions[item.form_version] = _form(session, shop, item.form_version)
        results.append(_accept_one(session, shop, intake, item, versions[item.form_version]))
    return SyncReport(results=results)


def _form(session: Session, shop: Shop, number: int | None) -> FormDefinition | None:
    if number is None:
        return forms.current(session, shop)
    return NO_FORM if number == 0 else forms.version(session, shop, number)


def _accept_one(
    session: Session, shop: Shop, intake: Intake, item: SyncItem, form: FormDefinition | None
) -> SyncResult:
    earlier = session.get(Inquiry, item.id)  # stored by an earlier sync, or by an import
    if earlier is not None:
        if earlier.shop_id != shop.id:
            errors = {"id": "This id belongs to another shop's inquiry."}
            return SyncResult(id=item.id, status=Outcome.REJECTED, errors=errors)
        return SyncResult(id=item.id, status=Outcome.DUPLICATE)
    if form is None:
        errors = {"form_version": f"The shop's form has no version {item.form_version}."}
        return SyncResult(id=item.id, status=Outcome.REJECTED, errors=errors)
    try:
        data = validate_inquiry(item.inquiry, shop.type_labels(), form, country=shop.country)
        accepted = intake.accept(
            session,
            shop,
            data,
            source=Source.DESKTOP,
            idempotency_key=str(item.id),
            inquiry_id=item.id,
            received_at=_not_in_future(item.captured_at),
            form_version=form.version,
        )
    except InquiryInvalid as invalid:
        return SyncResult(id=item.id, status=Outcome.REJECTED, errors=invalid.errors)
    except service.IdempotencyConflict as conflict:
        return SyncResult(id=item.id, status=Outcome.REJECTED, errors={"id": str(conflict)})
    if accepted.replayed:
        return SyncResult(id=item.id, status=Outcome.DUPLICATE)
    return SyncResult(id=item.id, status=Outcome.QUEUED if accepted.queued else Outcome.STORED)


def _not_in_future(captured_at: datetime) -> datetime:
    """A counter laptop's clock may run fast; an inquiry cannot arrive after it is received."""
    return min(captured_at, utcnow())
