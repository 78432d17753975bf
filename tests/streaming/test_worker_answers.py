"""`barberbot worker` with custom answers, against a real broker, on both answer stores."""

from __future__ import annotations

from collections.abc import Callable

import httpx2
import orjson
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.app import create_app
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.forms.mongo import MongoAnswerStore
from barberbot.forms.store import AnswerStore
from barberbot.models import Inquiry, InquiryAnswers, Shop
from tests.factories import inquiry_payload, make_form
from tests.streaming.helpers import (
    WorkerProcess,
    envelope,
    produce,
    read_topic,
    stored_count,
    wait_until,
)
from tests.support.live import LiveServer
from tests.support.mongo import MongoServer

ANSWERS = {"hair_type": "Curly", "heard_from": ["Instagram"], "first_visit": True}


def _documents(store: AnswerStore, session: Session) -> int:
    """How many answer documents the store holds (a duplicate would count twice)."""
    if isinstance(store, MongoAnswerStore):
        return store.collection.count_documents({})
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    return session.scalar(select(func.count()).select_from(InquiryAnswers)) or 0


def _header(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def test_answers_are_stored_exactly_once_and_bad_ones_dead_lettered(
    answer_settings: Settings,
    answer_store: AnswerStore,
    database: Database,
    session: Session,
    shop: Shop,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    form = make_form(session, shop=shop)
    sent = [envelope(shop, i, form=form, answers=ANSWERS) for i in range(20)]
    _, valid = envelope(shop, 99, form=form, answers=ANSWERS)
    body = orjson.loads(valid)
    body["inquiry"]["answers"] = {"hair_type": "Blue"}
    bad = orjson.dumps(body)
    sentinel_id, sentinel = envelope(shop, 100)
    key = shop.slug.encode()
    values = [value for _, value in sent]
    # every message twice (a producer retry, a redelivery), in one partition, in order
    produce(answer_settings, [(key, v) for v in [*values, bad, *values, sentinel]])

    start_worker(answer_settings)
    wait_until(lambda: stored_count(database) == 21, 60, "the messages to be stored")
    [dead] = read_topic(answer_settings, answer_settings.kafka_dlq_topic, 1, 30)

    assert dead.value() == bad
    reason = _header(dict(dead.headers() or [])["reason"])
    assert reason == "invalid inquiry: answers.hair_type: Choose one of: Straight, Wavy, Curly."
    assert _documents(answer_store, session) == 20
    documents = answer_store.read(session, [i for i, _ in sent] + [sentinel_id])
    assert set(documents) == {i for i, _ in sent}
    assert {d.form_version for d in documents.values()} == {form.version}
    assert documents[sent[0][0]].answers == ANSWERS


def test_mongodb_down_the_worker_waits_and_loses_nothing(
    streaming_settings: Settings,
    database: Database,
    session: Session,
    shop: Shop,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    form = make_form(session, shop=shop)
    sent = [envelope(shop, i, form=form, answers=ANSWERS) for i in range(10)]
    with MongoServer() as mongo:  # its own server: stopping it disturbs no other test
        settings = streaming_settings.model_copy(
            update={"mongodb_url": SecretStr(mongo.url), "mongodb_timeout_ms": 500}
        )
        mongo.stop_server()
        produce(settings, [(shop.slug.encode(), value) for _, value in sent])
        worker = start_worker(settings)
        wait_until(lambda: "retrying the batch" in worker.log(), 60, "the worker to wait")
        stored_while_down = stored_count(database)

        mongo.start_server()
        wait_until(lambda: stored_count(database) == 10, 60, "the batch once MongoDB is back")
        store = MongoAnswerStore(mongo.url)
        try:
            documents = store.read(session, [i for i, _ in sent])
            count = store.collection.count_documents({})
        finally:
            store.close()

    assert stored_while_down == 0  # no row without its document
    assert count == 10
    assert set(documents) == {i for i, _ in sent}
    assert read_topic(settings, settings.kafka_dlq_topic, 1, timeout=3) == []
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 10


def test_answers_sent_through_the_api_and_the_web_form_reach_the_store(
    answer_settings: Settings,
    answer_store: AnswerStore,
    database: Database,
    session: Session,
    shop: Shop,
    start_worker: Callable[..., WorkerProcess],
) -> None:
    form = make_form(session, shop=shop)
    start_worker(answer_settings)
    page = inquiry_payload(
        marketing_consent="", **{"answers.hair_type": "wavy", "answers.visits": "3"}
    )

    with (
        LiveServer(create_app(answer_settings, database)) as server,
        httpx2.Client(base_url=server.url) as client,
    ):
        api = client.post(
            f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(answers=ANSWERS)
        )
        posted = client.post(f"/s/{shop.slug}/inquire", data=page)
        wait_until(lambda: stored_count(database) == 2, 60, "both inquiries stored")

    assert api.status_code == 202, api.text
    assert posted.status_code < 400, posted.text
    session.rollback()
    ids = list(session.scalars(select(Inquiry.id)))
    documents = answer_store.read(session, ids)
    assert sorted((d.answers for d in documents.values()), key=str) == sorted(
        [ANSWERS, {"hair_type": "Wavy", "visits": 3}], key=str
    )
    assert {d.form_version for d in documents.values()} == {form.version}
