"""A validated inquiry made ready to store: the one shape every entry point hands the writer.

Every entry point (web form, API, desktop sync, import, Kafka worker, demo) validates with
`rules.validate_inquiry`, then calls `prepare`, then gives the `Capture` to the writer
(`inquiries.writer.write`, directly or through the API's group commit) or, with Kafka, to the
outbox. What a capture carries is decided here once:

- its **id**: the client's own (desktop sync, a Kafka message, an import's row), the one an
  `Idempotency-Key` names (`keyed_id`: the same shop and key always give the same id), or a
  new time-ordered one (`core.ids`: new rows go to the end of the primary key's index);
- its **fingerprint**: a digest of what the customer said (not when or how it arrived, nor
  the consent wording the shop showed), stored with the row. The id and the fingerprint are
  the one idempotency record: the same id again with the same fingerprint is a replay,
  with another fingerprint a conflict. A *fresh* capture (an id minted here) can meet
  nothing to compare with, so it is neither fingerprinted nor looked up;
- its column values, with the consent time and the exact consent text shown;
- its custom answers' document, when the shop has a form.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from barberbot.core.ids import time_ordered_id
from barberbot.forms.store import AnswerDocument
from barberbot.inquiries.rules import InquiryCreate
from barberbot.models import Shop, Source
from barberbot.models.base import utcnow

# Ids named by Idempotency-Keys are uuid5 names in this namespace, per shop.
KEY_NAMESPACE = uuid.UUID("0b8f6a4e-5c1d-4f7e-9a2b-7d3e1c9f4a60")
# What the customer said; the consent wording is the shop's, and may change between retries.
_NOT_FINGERPRINTED = {"consent_text"}


@dataclass(frozen=True)
class Capture:
    """An inquiry ready to store: its row's column values and its answers' document."""

    values: dict[str, Any]
    data: InquiryCreate  # as validated (what a Kafka message carries)
    form_version: int = 0
    document: AnswerDocument | None = None
    # a new id, minted here: it cannot be stored yet, so the writer does not look, and
    # nothing will ever be compared with it, so it has no fingerprint
    fresh: bool = False

    @property
    def id(self) -> uuid.UUID:
        inquiry_id: uuid.UUID = self.values["id"]
        return inquiry_id

    @property
    def shop_id(self) -> int:
        shop_id: int = self.values["shop_id"]
        return shop_id

    @property
    def fingerprint(self) -> str | None:
        digest: str | None = self.values["fingerprint"]
        return digest

    def with_consent_text(self) -> InquiryCreate:
        """The inquiry with the consent text the shop showed, as stored (for a message: the
        worker then stores the wording shown at capture, not the shop's text of later)."""
        shown = self.values["consent_text"]
        if shown == self.data.consent_text or not self.data.marketing_consent:
            return self.data
        return self.data.model_copy(update={"consent_text": shown})

    @property
    def received_at(self) -> datetime:
        received: datetime = self.values["received_at"]
        return received


def keyed_id(shop_id: int, idempotency_key: str) -> uuid.UUID:
    """The id of the inquiry a shop's client sends under an Idempotency-Key."""
    return uuid.uuid5(KEY_NAMESPACE, f"{shop_id}|{idempotency_key}")


def fingerprint(data: InquiryCreate) -> str:
    """A digest of the inquiry's fields as validated (keys sorted, answers included)."""
    fields = data.model_dump(mode="json", exclude=_NOT_FINGERPRINTED)
    return hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()


def prepare(
    shop: Shop,
    data: InquiryCreate,
    *,
    source: Source,
    form_version: int = 0,
    inquiry_id: uuid.UUID | None = None,
    idempotency_key: str | None = None,
    received_at: datetime | None = None,
) -> Capture:
    """The capture of a validated inquiry; `form_version` is the form its answers were
    checked against (0: the shop has no form, and there are no answers to keep)."""
    fresh = inquiry_id is None and not idempotency_key
    if inquiry_id is None:
        inquiry_id = keyed_id(shop.id, idempotency_key) if idempotency_key else time_ordered_id()
    received = received_at or utcnow()
    consent = data.marketing_consent
    values = {
        "id": inquiry_id,
        "shop_id": shop.id,
        "received_at": received,
        "customer_name": data.customer_name,
        "age": data.age,
        "gender": data.gender.value,
        "inquiry_type": data.inquiry_type,
        "phone": data.phone,
        "email": data.email,
        "message": data.message,
        "marketing_consent": consent,
        "consent_at": received if consent else None,
        "consent_text": (data.consent_text or shop.effective_consent_text()) if consent else None,
        "source": source.value,
        "location": data.location,
        "fingerprint": None if fresh else fingerprint(data),
        "status": "new",  # the inbox's: every inquiry starts new, with nobody on it
        "outcome": None,
        "assignee_id": None,
    }
    document = None
    if form_version:
        document = AnswerDocument(inquiry_id, shop.id, form_version, received, data.answers)
    return Capture(values, data, form_version, document, fresh)
