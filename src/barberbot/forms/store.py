"""Where custom answers are kept: one document per inquiry, keyed by the inquiry's id.

Two stores share one interface: the SQL answers table (the default, written in the inquiry's
own transaction) and MongoDB (`BARBERBOT_MONGODB_URL`). Either way `save` is called inside
the SQL transaction that inserts the inquiries, before it commits: with MongoDB the documents
are written first, so an inquiry row never commits without its document (see README,
"Custom forms"). A store saves, reads and forgets documents; the dashboard's figures on the
answers are `analytics.answers`, one implementation per store.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import bindparam, delete, select, text
from sqlalchemy.orm import Session

from barberbot.models import InquiryAnswers
from barberbot.models.base import UTCDateTime, UUIDString


@dataclass(frozen=True)
class AnswerDocument:
    inquiry_id: uuid.UUID
    shop_id: int
    form_version: int
    received_at: datetime
    answers: dict[str, Any]


class AnswersUnavailable(Exception):
    """The answer store cannot be reached: nothing of the inquiry was stored; send it again."""


class AnswerStore(Protocol):
    # True when `save` writes in the SQL transaction itself (no I/O of its own)
    in_database: bool

    def save(self, session: Session, documents: Sequence[AnswerDocument]) -> None:
        """Keep the documents (an existing one is left as it is); before the caller commits."""
        ...

    def read(
        self, session: Session, inquiry_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, AnswerDocument]: ...

    def forget(self, session: Session, inquiry_id: uuid.UUID) -> None: ...

    def close(self) -> None: ...


class SqlAnswerStore:
    """The answers as a JSON column beside the inquiries, in the same transaction."""

    in_database = True

    def save(self, session: Session, documents: Sequence[AnswerDocument]) -> None:
        if not documents:
            return
        connection = session.connection()
        statement = _insert_ignoring_known(connection.dialect.name)
        connection.execute(statement, [_row(document) for document in documents])

    def read(
        self, session: Session, inquiry_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, AnswerDocument]:
        ids = list(inquiry_ids)
        found: dict[uuid.UUID, AnswerDocument] = {}
        for start in range(0, len(ids), _CHUNK):
            query = select(InquiryAnswers).where(
                InquiryAnswers.inquiry_id.in_(ids[start : start + _CHUNK])
            )
            for row in session.scalars(query):
                found[row.inquiry_id] = AnswerDocument(
                    row.inquiry_id, row.shop_id, row.form_version, row.received_at, row.answers
                )
        return found

    def forget(self, session: Session, inquiry_id: uuid.UUID) -> None:
        session.execute(delete(InquiryAnswers).where(InquiryAnswers.inquiry_id == inquiry_id))

    def close(self) -> None:
        pass


_CHUNK = 500


_COLUMNS = ("inquiry_id", "shop_id", "form_version", "received_at", "answers")


def _row(document: AnswerDocument) -> dict[str, Any]:
    return {
        "inquiry_id": document.inquiry_id,
        "shop_id": document.shop_id,
        "form_version": document.form_version,
        "received_at": document.received_at,
        "answers": document.answers,
    }


def _insert_ignoring_known(dialect: str) -> Any:
    """INSERT that leaves an inquiry's existing document alone (a redelivery)."""
    columns = ", ".join(_COLUMNS)
    values = ", ".join(f":{c}" for c in _COLUMNS)
    if dialect == "mysql":
        sql = (
            f"INSERT INTO inquiry_answers ({columns}) VALUES ({values}) "
            "ON DUPLICATE KEY UPDATE inquiry_id = inquiry_id"
        )
    else:
        sql = f"INSERT INTO inquiry_answers ({columns}) VALUES ({values}) ON CONFLICT DO NOTHING"
    return text(sql).bindparams(
        bindparam("inquiry_id", type_=UUIDString()),
        bindparam("received_at", type_=UTCDateTime()),
        bindparam("answers", type_=InquiryAnswers.__table__.c.answers.type),
    )
