"""The one decision between the SQL answer store and MongoDB."""

from __future__ import annotations

from barberbot.core.settings import Settings
from barberbot.forms.store import AnswerStore, SqlAnswerStore


def answer_store_for(settings: Settings) -> AnswerStore:
    if not settings.mongodb_url:
        return SqlAnswerStore()
    from barberbot.forms.mongo import MongoAnswerStore  # pymongo only when configured

    return MongoAnswerStore(
        settings.mongodb_url.get_secret_value(), timeout_ms=settings.mongodb_timeout_ms
    )
