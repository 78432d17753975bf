"""The group-commit writer saves a burst's answers in batches, in the rows' own transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.forms.definition import FormDefinition
from barberbot.forms.store import AnswerDocument, AnswerStore
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.group_commit import GroupCommit
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Inquiry, Shop, Source
from tests.factories import inquiry_payload, make_form
from tests.forms.conftest import raw_documents


class CountingStore:
    """The app's own store, counting the batches it is handed."""

    def __init__(self, store: AnswerStore) -> None:
        self.store = store
        self.in_database = store.in_database
        self.batches: list[int] = []

    def save(self, session: Session, documents: Sequence[AnswerDocument]) -> None:
        if documents:
            self.batches.append(len(documents))
        self.store.save(session, documents)


async def _burst(writer: GroupCommit, shop: Shop, form: FormDefinition, n: int) -> list[Any]:
    async def one(index: int) -> Any:
        data = validate_inquiry(
            inquiry_payload(customer_name=f"Customer {index}", answers={"hair_type": "Wavy"}),
            shop.type_labels(),
            form,
        )
        return await writer.write(prepare(shop, data, source=Source.API, form_version=form.version))

    return await asyncio.gather(*(one(i) for i in range(n)))


def test_a_burst_of_answers_is_saved_in_batches(
    app: FastAPI, database: Database, session: Session, shop: Shop
) -> None:
    form = make_form(session, shop=shop)
    store = CountingStore(app.state.answer_store)
    writer = GroupCommit(database, answers=store)  # type: ignore[arg-type]

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _burst(writer, shop, form, 60)).result()
    writer.close()

    assert sum(store.batches) == 60
    assert len(store.batches) < 60 / 4  # batches, not a write per inquiry
    assert len(raw_documents(app)) == 60
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 60
