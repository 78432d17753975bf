"""Storing, finding and forgetting inquiries. Services flush; the edge commits."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, or_, select, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from barberbot.forms.store import AnswerDocument, AnswerStore
from barberbot.inquiries import settled
from barberbot.inquiries.filters import InquiryFilters
from barberbot.inquiries.rules import InquiryCreate
from barberbot.models import IdempotencyKey, Inquiry, Shop, Source
from barberbot.models.base import UTCDateTime, UUIDString, utcnow


class IdempotencyConflict(Exception):
    """The Idempotency-Key was first used for a different inquiry."""


@dataclass(frozen=True)
class Captured:
    inquiry: Inquiry
    created: bool


def fingerprint(inquiry: InquiryCreate) -> str:
    # without custom answers, the same fingerprint as before forms existed (stored keys)
    fields = inquiry.model_dump(mode="json", exclude=None if inquiry.answers else _NO_ANSWERS)
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


_NO_ANSWERS = {"answers"}


def capture(
    session: Session,
    shop: Shop,
    data: InquiryCreate,
    *,
    source: Source,
    idempotency_key: str | None = None,
    inquiry_id: uuid.UUID | None = None,
    received_at: datetime | None = None,
    form_version: int = 0,
    answers: AnswerStore | None = None,
) -> Captured:
    """Store a validated inquiry, or return the one first stored under the same key.

    With a form (`form_version` > 0) its custom answers go to the `answers` store.
    """
    if idempotency_key:
        existing = replay(session, shop, idempotency_key, data)
        if existing is not None:
            return Captured(existing, created=False)
    inquiry = Inquiry(
        **inquiry_values(shop, data, source=source, inquiry_id=inquiry_id, received_at=received_at)
    )
    session.add(inquiry)
    session.flush()
    if received_at is not None:  # a client's own time (sync, Kafka): maybe a settled day's
        settled.mark_late(session, [(shop.id, received_at)])
    if form_version:
        if answers is None:
            raise ValueError("an inquiry with custom answers needs an answer store")
        answers.save(
            session, [answer_document(inquiry.id, shop, data, form_version, inquiry.received_at)]
        )
    if idempotency_key:
        session.add(
            IdempotencyKey(
                shop_id=shop.id,
                key=idempotency_key,
                fingerprint=fingerprint(data),
                inquiry_id=inquiry.id,
            )
        )
        session.flush()
    return Captured(inquiry, created=True)


def inquiry_values(
    shop: Shop,
    data: InquiryCreate,
    *,
    source: Source,
    inquiry_id: uuid.UUID | None = None,
    received_at: datetime | None = None,
) -> dict[str, Any]:
    """The column values of a new inquiry; consent keeps its time and the exact text shown."""
    received = received_at or utcnow()
    consent = data.marketing_consent
    return {
        "id": inquiry_id or uuid.uuid4(),
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
    }


def answer_document(
    inquiry_id: uuid.UUID,
    shop: Shop,
    data: InquiryCreate,
    form_version: int,
    received_at: datetime,
) -> AnswerDocument:
    """The custom answers of an inquiry, with the form version they answered."""
    return AnswerDocument(inquiry_id, shop.id, form_version, received_at, data.answers)


def store_many(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows whose id is not stored yet (an idempotent upsert); returns how many were new.

    The worker's hot path: plain DBAPI values and one executemany, which PyMySQL turns into
    multi-row INSERTs, instead of the ORM's per-row bookkeeping.
    """
    if not rows:
        return 0
    ids = [str(row["id"]) for row in rows]
    known = set(session.scalars(_KNOWN_IDS, {"ids": ids}))
    new = [row for row, row_id in zip(rows, ids, strict=True) if row_id not in known]
    insert_rows(session, new, skip_known=True)
    return len(new)


def insert_rows(session: Session, rows: Sequence[dict[str, Any]], *, skip_known: bool) -> None:
    """One executemany of plain DBAPI values; `skip_known` leaves rows whose id exists alone."""
    if not rows:
        return
    connection = session.connection()
    statement = _insert_statement(connection.dialect, skip_known=skip_known)
    connection.exec_driver_sql(statement, [_db_values(row) for row in rows])
    settled.mark_late(session, [(row["shop_id"], row["received_at"]) for row in rows])


# Ids compared as the text they are stored as: no UUID round trip for each of a batch's ids.
_KNOWN_IDS = text("SELECT id FROM inquiries WHERE id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)


def _db_values(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple([convert(row[column]) for column, convert in _CONVERTERS])


def _as_text(value: Any) -> str:
    return str(value)


def _as_utc_text(value: datetime | None) -> str | None:
    """What UTCDateTime stores: naive UTC, as text (cheaper for drivers than datetimes)."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _unchanged(value: Any) -> Any:
    return value


_CONVERTERS: tuple[tuple[str, Callable[[Any], Any]], ...] = tuple(
    (
        column.name,
        _as_text
        if isinstance(column.type, UUIDString)
        else _as_utc_text
        if isinstance(column.type, UTCDateTime)
        else _unchanged,
    )
    for column in Inquiry.__table__.columns
)


def _insert_statement(dialect: Dialect, *, skip_known: bool) -> str:
    """INSERT, optionally leaving a row alone if its id exists (another worker raced us to it)."""
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    insert = (
        f"INSERT INTO inquiries ({', '.join(name for name, _ in _CONVERTERS)}) "
        f"VALUES ({', '.join([marker] * len(_CONVERTERS))})"
    )
    if not skip_known:
        return insert
    if dialect.name == "mysql":
        return f"{insert} ON DUPLICATE KEY UPDATE id = id"
    return f"{insert} ON CONFLICT (id) DO NOTHING"


def replay(
    session: Session, shop: Shop, idempotency_key: str, data: InquiryCreate
) -> Inquiry | None:
    """The inquiry stored earlier under this key, if any; a different body is a conflict."""
    record = session.get(IdempotencyKey, (shop.id, idempotency_key))
    if record is None:
        return None
    if record.fingerprint != fingerprint(data):
        raise IdempotencyConflict("This Idempotency-Key was already used for a different inquiry.")
    return session.get(Inquiry, record.inquiry_id)


def get(session: Session, shop: Shop, inquiry_id: uuid.UUID) -> Inquiry | None:
    inquiry = session.get(Inquiry, inquiry_id)
    return inquiry if inquiry is not None and inquiry.shop_id == shop.id else None


def forget(
    session: Session, shop: Shop, inquiry_id: uuid.UUID, answers: AnswerStore | None = None
) -> bool:
    """Erase an inquiry and every trace of it (the customer asked to be forgotten)."""
    found = get(session, shop, inquiry_id)
    if found is None:
        return False
    settled.mark_late(session, [(shop.id, found.received_at)])
    if answers is not None:
        answers.forget(session, inquiry_id)
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.inquiry_id == inquiry_id))
    session.execute(delete(Inquiry).where(Inquiry.id == inquiry_id))
    session.flush()
    return True


def filtered(shop: Shop, filters: InquiryFilters) -> Select[Inquiry]:
    """Newest first, then by id, so the order is total and a cursor can resume it."""
    query = select(Inquiry).where(Inquiry.shop_id == shop.id)
    if filters.received_from is not None:
        query = query.where(Inquiry.received_at >= filters.received_from)
    if filters.received_to is not None:
        query = query.where(Inquiry.received_at < filters.received_to)
    if filters.inquiry_type:
        query = query.where(Inquiry.inquiry_type == filters.inquiry_type)
    if filters.gender:
        query = query.where(Inquiry.gender == filters.gender.value)
    if filters.age_min is not None:
        query = query.where(Inquiry.age >= filters.age_min)
    if filters.age_max is not None:
        query = query.where(Inquiry.age <= filters.age_max)
    return query.order_by(Inquiry.received_at.desc(), Inquiry.id.desc())


def page(
    session: Session,
    shop: Shop,
    filters: InquiryFilters,
    *,
    limit: int,
    after: tuple[datetime, uuid.UUID] | None = None,
) -> Sequence[Inquiry]:
    """Up to `limit + 1` inquiries after the cursor position; the extra one signals more."""
    query = filtered(shop, filters)
    if after is not None:
        at, last_id = after
        query = query.where(
            or_(
                Inquiry.received_at < at,
                and_(Inquiry.received_at == at, Inquiry.id < last_id),
            )
        )
    return session.scalars(query.limit(limit + 1)).all()


def all_matching(session: Session, shop: Shop, filters: InquiryFilters) -> Sequence[Inquiry]:
    return session.scalars(filtered(shop, filters)).all()


def latest(session: Session, shop: Shop, limit: int = 50) -> Sequence[Inquiry]:
    return session.scalars(filtered(shop, InquiryFilters()).limit(limit)).all()
