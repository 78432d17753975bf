"""MongoDB down: an inquiry with answers is refused whole (503, nothing in SQL), and once the
server is back the same submission is stored with exactly one document. Inquiries without
answers are not held back meanwhile."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop, User
from tests.factories import PASSWORD, inquiry_payload, make_form, make_shop
from tests.forms.conftest import raw_documents
from tests.support.dashboard import sign_in
from tests.support.mongo import MongoServer

CURLY = {"hair_type": "Curly"}


@pytest.fixture
def answer_backend() -> str:
    return "mongodb"  # an outage of the SQL store is the database's own (tests/core)


@pytest.fixture
def outage(mongo_server: MongoServer) -> Iterator[MongoServer]:
    yield mongo_server
    if mongo_server._process is None:  # a failed test must not leave it down for the rest
        mongo_server.start_server()


def _ids(session: Session) -> set[str]:
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    return {str(i) for i in session.scalars(select(Inquiry.id))}


def test_nothing_is_lost_while_mongodb_is_down(
    client: TestClient, app: FastAPI, session: Session, shop: Shop, outage: MongoServer
) -> None:
    make_form(session, shop=shop)
    plain = make_shop(session, slug="no-form", name="No Form")
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    body = inquiry_payload(answers={"hair_type": "Curly", "barber": "Sam"})
    before = client.post(url, json=inquiry_payload(answers={"hair_type": "Wavy"}))
    assert before.status_code == 201

    outage.stop_server()
    refused = client.post(url, json=body, headers={"Idempotency-Key": "k-1"})
    unaffected = client.post(f"/api/v1/shops/{plain.slug}/inquiries", json=inquiry_payload())
    page = client.post(
        f"/s/{shop.slug}/inquire",
        data=inquiry_payload(
            marketing_consent="", **{"answers.hair_type": "Curly", "answers.barber": "Kept Sam"}
        ),
    )
    stored_during_outage = _ids(session)
    outage.start_server()
    retried = client.post(url, json=body, headers={"Idempotency-Key": "k-1"})
    resent = client.post(url, json=body, headers={"Idempotency-Key": "k-1"})

    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert unaffected.status_code == 201
    assert page.status_code == 503
    assert "Please send it again" in page.text
    assert 'value="Kept Sam"' in page.text  # the customer's input is kept
    assert stored_during_outage == {before.json()["id"], unaffected.json()["id"]}
    assert retried.status_code == 201
    assert resent.headers["Idempotent-Replayed"] == "true"
    documents = {str(d["_id"]): d for d in raw_documents(app)}
    assert set(documents) == {before.json()["id"], retried.json()["id"]}
    assert documents[retried.json()["id"]]["answers"] == {"hair_type": "Curly", "barber": "Sam"}
    # converged: every inquiry of the shop with a form has its document
    session.rollback()
    with_form = {
        str(i) for i in session.scalars(select(Inquiry.id).where(Inquiry.shop_id == shop.id))
    }
    assert with_form == set(documents)


def test_the_indexes_exist(client: TestClient, app: FastAPI, session: Session, shop: Shop) -> None:
    make_form(session, shop=shop)
    client.post(
        f"/api/v1/shops/{shop.slug}/inquiries", json=inquiry_payload(answers={"hair_type": "Wavy"})
    )

    indexes = app.state.answer_store.collection.index_information()

    assert indexes["shop_received"]["key"] == [("shop_id", 1), ("received_at", 1)]
    assert indexes["shop_answered"]["key"] == [("shop_id", 1), ("answered", 1)]
    [document] = raw_documents(app)
    assert document["answered"] == ["hair_type"]


def test_a_desktop_upload_waits_for_mongodb_and_then_stores_every_inquiry_once(
    client: TestClient,
    app: FastAPI,
    session: Session,
    shop: Shop,
    owner_headers: dict[str, str],
    outage: MongoServer,
) -> None:
    form = make_form(session, shop=shop)
    answered, plain = str(uuid.uuid4()), str(uuid.uuid4())
    batch = {
        "inquiries": [
            {"id": plain, "captured_at": "2026-11-20T09:30:00+00:00",
             "inquiry": inquiry_payload(customer_name="No Answers"),
             "form_version": 0},  # captured before the shop had a form
            {"id": answered, "captured_at": "2026-11-20T09:35:00+00:00",
             "inquiry": inquiry_payload(answers={"hair_type": "Curly"}),
             "form_version": form.version},
        ]
    }  # fmt: skip
    url = f"/api/v1/shops/{shop.slug}/inquiries/sync"

    outage.stop_server()
    refused = client.post(url, json=batch, headers=owner_headers)
    stored_during_outage = _ids(session)
    outage.start_server()
    uploaded = client.post(url, json=batch, headers=owner_headers)
    again = client.post(url, json=batch, headers=owner_headers)

    assert refused.status_code == 503  # the desktop app keeps the batch and sends it later
    assert "Retry-After" in refused.headers
    assert stored_during_outage == set()  # not even the inquiry without answers
    assert uploaded.status_code == 200, uploaded.text
    assert [r["status"] for r in uploaded.json()["results"]] == ["stored", "stored"]
    assert [r["status"] for r in again.json()["results"]] == ["duplicate", "duplicate"]
    assert _ids(session) == {plain, answered}
    documents = {str(d["_id"]): d["answers"] for d in raw_documents(app)}
    assert documents == {answered: {"hair_type": "Curly"}}


def test_the_shop_page_still_lists_inquiries_while_mongodb_is_down(
    client: TestClient, session: Session, shop: Shop, owner: User, outage: MongoServer
) -> None:
    make_form(session, shop=shop)
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    stored = client.post(url, json=inquiry_payload(customer_name="Zoë Kept", answers=CURLY))
    assert stored.status_code == 201
    sign_in(client, owner.email, PASSWORD, next_url="/")

    with_answers = client.get(f"/shops/{shop.slug}")
    outage.stop_server()
    without = client.get(f"/shops/{shop.slug}")
    outage.start_server()

    assert "<dd>Curly</dd>" in with_answers.text
    assert without.status_code == 200  # the owner's page, not an error
    assert "Zoë Kept" in without.text
    assert "cannot be read just now" in without.text
    assert "<dd>Curly</dd>" not in without.text
