"""The pure handler with custom answers, on the SQL answer store and on MongoDB."""

from __future__ import annotations

import uuid

import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.forms.mongo import MongoAnswerStore
from barberbot.forms.store import AnswerStore, AnswersUnavailable
from barberbot.models import Inquiry, Shop
from barberbot.streaming.handler import Record, handle
from tests.factories import form_fields, make_form
from tests.streaming.helpers import envelope
from tests.support.ports import free_port

ANSWERS = {"hair_type": "Curly", "heard_from": ["Instagram", "Friend"], "visits": 4}


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


def _rewritten(value: bytes, **changes: object) -> bytes:
    """The message with some envelope fields (or `inquiry.answers`) changed."""
    body = orjson.loads(value)
    answers = changes.pop("answers", None)
    if answers is not None:
        body["inquiry"]["answers"] = answers
    body.update(changes)
    return orjson.dumps(body)


def test_answers_are_checked_and_stored_once_with_their_form_version(
    session: Session, shop: Shop, answer_store: AnswerStore
) -> None:
    form = make_form(session, shop=shop)
    sent = [envelope(shop, i, form=form, answers=ANSWERS) for i in range(3)]
    records = [Record(value) for _, value in sent]

    first = handle(session, records, answer_store)
    session.commit()
    again = handle(session, records + records[:1], answer_store)  # redelivered
    session.commit()

    assert (first.stored, first.dead) == (3, [])
    assert (again.stored, again.redelivered, again.dead) == (0, 4, [])  # every message counted once
    documents = answer_store.read(session, [i for i, _ in sent])
    assert set(documents) == {i for i, _ in sent}
    document = documents[sent[0][0]]
    assert document.form_version == form.version
    assert document.shop_id == shop.id
    # cleaned by the shared rules: choices in the form's order
    assert document.answers == {
        "hair_type": "Curly",
        "heard_from": ["Friend", "Instagram"],
        "visits": 4,
    }


def test_answers_are_judged_by_the_version_they_answered(
    session: Session, shop: Shop, answer_store: AnswerStore
) -> None:
    first = make_form(session, shop=shop)
    inquiry_id, value = envelope(shop, 1, form=first, answers={"hair_type": "Wavy", "visits": 9})
    # since then the shop retired `visits` and stopped offering "Wavy"
    fields = [f for f in form_fields(hair_type={"options": ["Straight", "Curly"]})]
    make_form(session, shop=shop, fields=[f for f in fields if f["key"] != "visits"])

    result = handle(session, [Record(value)], answer_store)
    session.commit()

    assert (result.stored, result.dead) == (1, [])
    stored = answer_store.read(session, [inquiry_id])[inquiry_id]
    assert stored.form_version == first.version
    assert stored.answers == {"hair_type": "Wavy", "visits": 9}


def test_bad_answers_go_to_the_dead_letters_with_their_field_errors(
    session: Session, shop: Shop, answer_store: AnswerStore
) -> None:
    form = make_form(session, shop=shop)
    good_id, good = envelope(shop, 1, form=form, answers=ANSWERS)
    bad_id, valid = envelope(shop, 2, form=form, answers=ANSWERS)
    bad = _rewritten(valid, answers={"hair_type": "Purple", "visits": "many", "shoe_size": 9})
    missing = _rewritten(envelope(shop, 3, form=form, answers=ANSWERS)[1], answers={})
    unknown_version = _rewritten(envelope(shop, 4, form=form, answers=ANSWERS)[1], form_version=7)

    result = handle(
        session, [Record(good), Record(bad), Record(missing), Record(unknown_version)], answer_store
    )
    session.commit()

    assert result.stored == 1
    reasons = {d.record.value: d.reason for d in result.dead}
    assert reasons[bad].startswith("invalid inquiry: ")
    assert "answers.hair_type: Choose one of: Straight, Wavy, Curly." in reasons[bad]
    assert "answers.visits: Answer with a number, like 3 or 2.5." in reasons[bad]
    assert "answers.shoe_size: This form has no such question." in reasons[bad]
    assert reasons[missing] == "invalid inquiry: answers.hair_type: Please answer this question."
    assert reasons[unknown_version] == f"unknown form version 7 of shop {shop.slug!r}"
    assert set(session.scalars(select(Inquiry.id))) == {good_id}
    assert set(answer_store.read(session, [good_id, bad_id])) == {good_id}


def test_answers_to_a_shop_without_a_form_are_refused(
    session: Session, shop: Shop, answer_store: AnswerStore
) -> None:
    _, plain = envelope(shop, 1)
    stray = _rewritten(plain, answers={"hair_type": "Curly"})

    result = handle(session, [Record(plain), Record(stray)], answer_store)

    assert result.stored == 1
    assert [d.reason for d in result.dead] == [
        "invalid inquiry: answers.hair_type: This form has no such question."
    ]


def test_a_message_from_before_forms_is_checked_against_the_current_form(
    session: Session, shop: Shop, answer_store: AnswerStore
) -> None:
    form = make_form(session, shop=shop)
    inquiry_id, value = envelope(shop, 1, form=form, answers=ANSWERS)
    body = orjson.loads(value)
    del body["form_version"]

    result = handle(session, [Record(orjson.dumps(body))], answer_store)
    session.commit()

    assert (result.stored, result.dead) == (1, [])
    assert answer_store.read(session, [inquiry_id])[inquiry_id].form_version == form.version


def test_mongodb_down_is_an_outage_and_the_batch_stores_nothing(
    session: Session, shop: Shop
) -> None:
    form = make_form(session, shop=shop)
    _, plain = envelope(shop, 1)
    _, answered = envelope(shop, 2, form=form, answers=ANSWERS)
    unreachable = MongoAnswerStore(f"mongodb://127.0.0.1:{free_port()}/x", timeout_ms=300)

    with pytest.raises(AnswersUnavailable):
        handle(session, [Record(plain), Record(answered)], unreachable)
    session.rollback()
    unreachable.close()

    assert _count(session) == 0  # the whole batch waits: the worker retries it


def test_a_form_version_that_is_not_a_number_is_a_bad_message(session: Session, shop: Shop) -> None:
    _, value = envelope(shop, 1)

    result = handle(session, [Record(_rewritten(value, form_version="3"))])

    assert result.dead[0].reason == "malformed envelope: form_version '3' is not a version number"
    assert uuid.UUID(orjson.loads(value)["id"])


def test_a_worker_dying_between_the_documents_and_the_commit_loses_and_doubles_nothing(
    session: Session, shop: Shop, answer_store: AnswerStore
) -> None:
    """MongoDB keeps the documents of a batch whose SQL transaction never commits (the worker
    was killed in between); the broker redelivers the batch, and the retry adds the rows while
    the documents already there are left as they are."""
    form = make_form(session, shop=shop)
    sent = [envelope(shop, i, form=form, answers=ANSWERS) for i in range(3)]
    records = [Record(value) for _, value in sent]

    handle(session, records, answer_store)
    session.rollback()  # killed before the commit: the rows are gone, the offsets uncommitted
    after_crash = _count(session)
    retried = handle(session, records, answer_store)
    session.commit()

    assert after_crash == 0
    assert (retried.stored, retried.redelivered, retried.dead) == (3, 0, [])
    assert _count(session) == 3
    documents = answer_store.read(session, [i for i, _ in sent])
    assert set(documents) == {i for i, _ in sent}
    assert all(d.answers["hair_type"] == "Curly" for d in documents.values())
