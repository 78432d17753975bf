"""Custom answers in MongoDB: one document per inquiry, `_id` = the inquiry's id.

    {"_id": "<inquiry uuid>", "shop_id": 1, "form_version": 3, "received_at": <date>,
     "answers": {"hair_type": "Curly", "services": ["Fade", "Beard"]},
     "answered": ["hair_type", "services"]}

Writes are upserts with `$setOnInsert`: a redelivered inquiry finds its document and changes
nothing. A batch of inquiries is one unordered `bulk_write`. `answered` and the shop/time
indexes serve the dashboard's figures (`analytics.answers_mongo`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from pymongo import ASCENDING, MongoClient, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import PyMongoError
from sqlalchemy.orm import Session

from barberbot.forms.store import AnswerDocument, AnswersUnavailable

log = logging.getLogger("barberbot.forms.mongo")
COLLECTION = "inquiry_answers"
DEFAULT_DATABASE = "barberbot"
_INDEXES = (
    ("shop_received", [("shop_id", ASCENDING), ("received_at", ASCENDING)]),
    ("shop_answered", [("shop_id", ASCENDING), ("answered", ASCENDING)]),
    ("received", [("received_at", ASCENDING)]),
)


class MongoAnswerStore:
    in_database = False

    def __init__(self, url: str, timeout_ms: int = 3000) -> None:
        self.client: MongoClient[dict[str, Any]] = MongoClient(
            url,
            tz_aware=True,
            serverSelectionTimeoutMS=timeout_ms,
            connectTimeoutMS=timeout_ms,
            socketTimeoutMS=timeout_ms * 3,
            retryWrites=True,
        )
        database = self.client.get_default_database(default=DEFAULT_DATABASE)
        self.collection: Collection[dict[str, Any]] = database[COLLECTION]
        self._indexed = False

    def ensure_indexes(self) -> None:
        """Create the indexes once (idempotent); retried on the next write if it failed."""
        if self._indexed:
            return
        for name, keys in _INDEXES:
            self.collection.create_index(keys, name=name)
        self._indexed = True

    def save(self, session: Session, documents: Sequence[AnswerDocument]) -> None:
        if not documents:
            return
        try:
            self.ensure_indexes()
            self.collection.bulk_write([_upsert(d) for d in documents], ordered=False)
        except PyMongoError as error:
            log.warning("answers not stored in MongoDB", extra={"error": repr(error)})
            raise AnswersUnavailable("The answers could not be stored; send again.") from error

    def read(
        self, session: Session, inquiry_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, AnswerDocument]:
        ids = [str(i) for i in inquiry_ids]
        found: dict[uuid.UUID, AnswerDocument] = {}
        try:
            for start in range(0, len(ids), 1000):
                for doc in self.collection.find({"_id": {"$in": ids[start : start + 1000]}}):
                    document = _from_mongo(doc)
                    found[document.inquiry_id] = document
        except PyMongoError as error:
            raise AnswersUnavailable("The answers cannot be read right now.") from error
        return found

    def forget(self, session: Session, inquiry_id: uuid.UUID) -> None:
        try:
            self.collection.delete_one({"_id": str(inquiry_id)})
        except PyMongoError as error:
            raise AnswersUnavailable("The answers cannot be erased right now.") from error

    def close(self) -> None:
        self.client.close()


def _upsert(document: AnswerDocument) -> UpdateOne:
    fields = {
        "shop_id": document.shop_id,
        "form_version": document.form_version,
        "received_at": document.received_at,
        "answers": document.answers,
        "answered": sorted(document.answers),
    }
    return UpdateOne({"_id": str(document.inquiry_id)}, {"$setOnInsert": fields}, upsert=True)


def _from_mongo(doc: dict[str, Any]) -> AnswerDocument:
    return AnswerDocument(
        inquiry_id=uuid.UUID(doc["_id"]),
        shop_id=doc["shop_id"],
        form_version=doc["form_version"],
        received_at=doc["received_at"],
        answers=doc["answers"],
    )
