"""The counter's custom answers synced to a real running server, on both answer stores."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.core.choices import DEFAULT_INQUIRY_TYPES
from barberbot.core.settings import Settings
from barberbot.desktop.config import DesktopConfig
from barberbot.desktop.store import LocalStore
from barberbot.desktop.sync import ServerClient, Syncer
from barberbot.forms.definition import FormDefinition
from barberbot.forms.mongo import MongoAnswerStore
from barberbot.forms.store import AnswerStore
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Inquiry, InquiryAnswers, Shop
from tests.desktop.test_sync import QUICK, _wait_for
from tests.factories import form_fields, inquiry_payload, make_form
from tests.support.live import LiveServer

ANSWERS = {"hair_type": "Curly", "heard_from": ["Friend"], "first_visit": True}


@pytest.fixture
def settings(settings: Settings, mongodb_url: str | None) -> Settings:
    """The server's settings with this test's answer store: the SQL table, or MongoDB."""
    mongodb = None if mongodb_url is None else SecretStr(mongodb_url)
    return settings.model_copy(update={"mongodb_url": mongodb, "mongodb_timeout_ms": 1000})


def _save(store: LocalStore, form: FormDefinition, answers: dict[str, Any]) -> uuid.UUID:
    payload = inquiry_payload(answers=answers)
    inquiry = validate_inquiry(payload, dict(DEFAULT_INQUIRY_TYPES), form)
    return store.save(inquiry, form.version).id


def _documents(answers: AnswerStore, session: Session) -> int:
    if isinstance(answers, MongoAnswerStore):
        return answers.collection.count_documents({})
    return session.scalar(select(func.count()).select_from(InquiryAnswers)) or 0


def test_the_form_is_fetched_and_answers_arrive_exactly_once(
    app: FastAPI,
    session: Session,
    shop: Shop,
    store: LocalStore,
    config: Callable[[int], DesktopConfig],
) -> None:
    first = make_form(session, shop=shop)
    with LiveServer(app) as server:
        syncer = Syncer(store, config(server.port), backoff=QUICK).start()
        try:
            _wait_for(lambda: syncer.shop is not None)
            assert syncer.shop is not None
            fetched = syncer.shop.form
            assert fetched is not None  # the definition the counter caches for offline use
            assert (fetched.version, fetched.fields) == (first.version, first.fields)
            earlier = _save(store, first, {"hair_type": "Wavy", "visits": 7})
            # the shop edits its form: "Wavy" and `visits` go; answers to version 1 still count
            edited = form_fields(hair_type={"options": ["Straight", "Curly"]})
            second = make_form(session, shop=shop, fields=edited[:2] + edited[3:])
            later = _save(store, second, ANSWERS)
            syncer.wake()
            _wait_for(lambda: store.pending_count() == 0)
        finally:
            syncer.stop()
        # a lost answer: the counter sends the same batch again
        client = ServerClient(config(server.port))
        again = client.upload(store.all())
        client.close()
        session.rollback()
        answers: AnswerStore = app.state.answer_store  # the server's own, open while it runs
        documents = answers.read(session, [earlier, later])
        count = _documents(answers, session)

    assert documents[earlier].answers == {"hair_type": "Wavy", "visits": 7}
    assert documents[earlier].form_version == first.version
    assert documents[later].answers == ANSWERS
    assert documents[later].form_version == second.version
    assert {r["status"] for r in again} == {"duplicate"}
    assert count == 2
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 2


def test_answers_the_server_refuses_are_kept_as_refused(
    app: FastAPI,
    session: Session,
    shop: Shop,
    store: LocalStore,
    config: Callable[[int], DesktopConfig],
) -> None:
    form = make_form(session, shop=shop)
    made_up = FormDefinition.from_stored(9, form_fields())  # a version the shop never had
    _save(store, made_up, ANSWERS)
    _save(store, form, ANSWERS)

    with LiveServer(app) as server:
        client = ServerClient(config(server.port))
        results = client.upload(store.all())
        tampered = store.all()[1]
        wrong = {**tampered.data, "answers": {"hair_type": "Purple"}}
        batch = [type(tampered)(0, uuid.uuid4(), tampered.saved_at, wrong, False, None, 1)]
        refused = client.upload(batch)
        client.close()

    assert [r["status"] for r in results] == ["rejected", "stored"]
    assert results[0]["errors"] == {"form_version": "The shop's form has no version 9."}
    assert refused[0]["status"] == "rejected"
    assert refused[0]["errors"] == {"answers.hair_type": "Choose one of: Straight, Wavy, Curly."}
