"""Custom answers in MongoDB: one document per inquiry, `_id` = the inquiry's id.

    {"_id": "<inquiry uuid>", "shop_id": 1, "form_version": 3, "received_at": <date>,
     "answers": {"hair_type": "Curly", "services": ["Fade", "Beard"]},
     "answered": ["hair_type", "services"]}

Writes are upserts with `$setOnInsert`: a redelivered inquiry finds its document and changes
nothing. A batch of inquiries is one unordered `bulk_write`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from pymongo import ASCENDING, MongoClient, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import PyMongoError
from sqlalchemy.orm import Session

from barberbot.forms.store import AnswerDocument, AnswerFilters, AnswerScope, AnswersUnavailable

log = logging.getLogger("barberbot.forms.mongo")
COLLECTION = "inquiry_answers"
DEFAULT_DATABASE = "barberbot"
_SLACK = timedelta(days=1)
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

    def choice_ids(
        self, session: Session, scope: AnswerScope, key: str, options: Sequence[str]
    ) -> dict[str, set[uuid.UUID]]:
        """One pipeline per question over the scope's documents that answered it (indexes
        shop/time and shop/answered): each document's answer, matched per option here."""
        found: dict[str, set[uuid.UUID]] = {option: set() for option in options}
        field = f"answers.{key}"
        pipeline: list[dict[str, Any]] = [
            {"$match": {**_scope_match(scope), "answered": key, field: {"$in": list(options)}}},
            {"$project": {"_id": 1, "value": f"${field}"}},
        ]
        try:
            for doc in self.collection.aggregate(pipeline):
                value = doc.get("value")
                chosen = value if isinstance(value, list) else [value]
                inquiry_id = uuid.UUID(doc["_id"])
                for option in chosen:
                    if option in found:
                        found[option].add(inquiry_id)
        except PyMongoError as error:
            raise AnswersUnavailable("The answers cannot be read right now.") from error
        return found

    def matching_ids(
        self, session: Session, scope: AnswerScope, filters: AnswerFilters
    ) -> set[uuid.UUID]:
        match: dict[str, Any] = _scope_match(scope)
        match["$and"] = [{f"answers.{key}": {"$in": list(options)}} for key, options in filters]
        if not filters:
            del match["$and"]
        try:
            pipeline = [{"$match": match}, {"$project": {"_id": 1}}]
            return {uuid.UUID(doc["_id"]) for doc in self.collection.aggregate(pipeline)}
        except PyMongoError as error:
            raise AnswersUnavailable("The answers cannot be read right now.") from error

    def close(self) -> None:
        self.client.close()


def _scope_match(scope: AnswerScope) -> dict[str, Any]:
    """The scope's documents, the time a day wider either way (a document's time may differ a
    little from its inquiry row's; the caller joins the ids with the SQL selection)."""
    return {
        "shop_id": {"$in": list(scope.shop_ids)},
        "received_at": {"$gte": scope.start - _SLACK, "$lt": scope.end + _SLACK},
    }


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
