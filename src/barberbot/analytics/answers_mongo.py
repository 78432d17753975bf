"""The dashboard's figures on custom choice answers kept in MongoDB (`forms.mongo`).

Within the shown shops and period (`AnswerScope`, on the collection's shop/time and
shop/answered indexes) the documents give the inquiry ids per option, or those a filter keeps;
these id sets are joined with the SQL selection, which has the age bands and the other filters:
memory grows with the inquiries of the shown shop and period, not with the whole store.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import PyMongoError
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.analytics.answer_sql import AnswerFilters
from barberbot.analytics.bands import BAND_LABELS, band_expression
from barberbot.analytics.filters import Selection
from barberbot.analytics.queries import conditions
from barberbot.forms.store import AnswersUnavailable
from barberbot.models import Inquiry

_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class AnswerScope:
    """The documents a dashboard figure looks at: some shops' answers received in [start, end)
    (more may be read; the ids are joined with the SQL selection)."""

    shop_ids: tuple[int, ...]
    start: datetime
    end: datetime


def scope_of(selection: Selection) -> AnswerScope:
    return AnswerScope(selection.shop_ids, selection.period.start, selection.period.end)


class MongoAnswerQueries:
    def __init__(self, collection: Collection[dict[str, Any]]) -> None:
        self.collection = collection

    def with_answer_ids(self, session: Session, selection: Selection) -> Selection:
        ids = self.matching_ids(scope_of(selection), selection.answers)
        return replace(selection, answer_ids=frozenset(ids))

    def choice_counts(
        self, session: Session, selection: Selection, key: str, options: tuple[str, ...]
    ) -> dict[str, dict[str, int]]:
        """The ids per option, counted per age band of the SQL selection's rows that have
        them (the selection's own id and band are read a chunk at a time)."""
        found = {option: dict.fromkeys(BAND_LABELS, 0) for option in options}
        if not options:
            return found
        answered: dict[uuid.UUID, list[str]] = {}
        for option, ids in self.choice_ids(scope_of(selection), key, options).items():
            for inquiry_id in ids:
                answered.setdefault(inquiry_id, []).append(option)
        if not answered:
            return found
        band = band_expression(Inquiry.age).label("age_band")
        query = select(Inquiry.id, band).where(*conditions(selection))
        tally: Counter[tuple[str, str]] = Counter()
        for rows in session.execute(query.execution_options(yield_per=5000)).partitions():
            for inquiry_id, age_band in rows:
                for option in answered.get(inquiry_id, ()):
                    tally[(option, age_band)] += 1
        for (option, age_band), n in tally.items():
            found[option][age_band] = n
        return found

    def choice_ids(
        self, scope: AnswerScope, key: str, options: Sequence[str]
    ) -> dict[str, set[uuid.UUID]]:
        """{option: ids of the scope's inquiries whose answer to `key` is or includes it}: one
        pipeline over the scope's documents that answered the question, matched per option
        here."""
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

    def matching_ids(self, scope: AnswerScope, filters: AnswerFilters) -> set[uuid.UUID]:
        """Ids of the scope's inquiries whose answer to every filtered question is, or
        includes, one of its options."""
        match: dict[str, Any] = _scope_match(scope)
        match["$and"] = [{f"answers.{key}": {"$in": list(options)}} for key, options in filters]
        if not filters:
            del match["$and"]
        try:
            pipeline = [{"$match": match}, {"$project": {"_id": 1}}]
            return {uuid.UUID(doc["_id"]) for doc in self.collection.aggregate(pipeline)}
        except PyMongoError as error:
            raise AnswersUnavailable("The answers cannot be read right now.") from error


def _scope_match(scope: AnswerScope) -> dict[str, Any]:
    """The scope's documents, the time a day wider either way (a document's time may differ a
    little from its inquiry row's; the caller joins the ids with the SQL selection)."""
    return {
        "shop_id": {"$in": list(scope.shop_ids)},
        "received_at": {"$gte": scope.start - _SLACK, "$lt": scope.end + _SLACK},
    }
