"""Capturing inquiries with custom answers, against the SQL store and a real MongoDB server."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.models import Inquiry, Shop
from tests.factories import inquiry_payload, make_form, make_shop
from tests.forms.conftest import raw_documents

GOOD_ANSWERS = {
    "barber": "Sam",
    "visits": 6,
    "hair_type": "Curly",
    "heard_from": ["Walked past", "Friend"],
    "preferred_day": "2026-12-05",
    "first_visit": False,
}


def _capture_url(shop: Shop) -> str:
    return f"/api/v1/shops/{shop.slug}/inquiries"


def _count(session: Session) -> int:
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


def test_the_api_stores_answers_with_the_form_version(
    client: TestClient, app: FastAPI, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    form = make_form(session, shop=shop)

    response = client.post(_capture_url(shop), json=inquiry_payload(answers=GOOD_ANSWERS))

    assert response.status_code == 201, response.text
    body = response.json()
    stored_answers = GOOD_ANSWERS | {"heard_from": ["Friend", "Walked past"]}
    assert (body["answers"], body["form_version"]) == (stored_answers, form.version)
    [document] = raw_documents(app)
    assert str(document["_id"]) == body["id"]
    assert (document["shop_id"], document["form_version"]) == (shop.id, form.version)
    assert document["answers"] == stored_answers
    read = client.get(f"{_capture_url(shop)}/{body['id']}", headers=owner_headers).json()
    assert (read["answers"], read["form_version"]) == (stored_answers, 1)


def test_bad_answers_are_field_errors_and_nothing_is_stored(
    client: TestClient, app: FastAPI, session: Session, shop: Shop
) -> None:
    make_form(session, shop=shop)
    answers = {
        "shoe_size": 44,
        "visits": "lots",
        "heard_from": ["Radio"],
        "notes": "x" * 2001,
    }  # and the required hair_type is missing

    response = client.post(_capture_url(shop), json=inquiry_payload(answers=answers))

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "answers.shoe_size",
        "answers.visits",
        "answers.heard_from",
        "answers.notes",
        "answers.hair_type",
    }
    assert _count(session) == 0
    assert raw_documents(app) == []


def test_a_redelivered_inquiry_makes_no_second_document(
    client: TestClient, app: FastAPI, session: Session, shop: Shop
) -> None:
    make_form(session, shop=shop)
    headers = {"Idempotency-Key": "retry-1"}
    body = inquiry_payload(answers=GOOD_ANSWERS)

    first = client.post(_capture_url(shop), json=body, headers=headers)
    second = client.post(_capture_url(shop), json=body, headers=headers)

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.json()["id"] == second.json()["id"]
    assert len(raw_documents(app)) == 1
    assert _count(session) == 1


def test_a_shop_without_a_form_stores_no_document(
    client: TestClient, app: FastAPI, session: Session, shop: Shop
) -> None:
    response = client.post(_capture_url(shop), json=inquiry_payload())

    assert response.status_code == 201
    assert response.json()["answers"] == {}
    assert raw_documents(app) == []
    refused = client.post(_capture_url(shop), json=inquiry_payload(answers={"barber": "Sam"}))
    assert refused.json()["errors"] == {"answers.barber": "This form has no such question."}


def test_a_new_form_shows_at_once_on_the_capture_path(
    client: TestClient, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    client.post(_capture_url(shop), json=inquiry_payload())  # the shop is cached now
    fields = [{"key": "barber", "label": "Barber", "type": "short_text", "required": True}]
    client.put(f"/api/v1/shops/{shop.slug}/form", json={"fields": fields}, headers=owner_headers)

    response = client.post(_capture_url(shop), json=inquiry_payload())

    assert response.json()["errors"] == {"answers.barber": "Please answer this question."}


def test_answers_of_one_shop_stay_with_it(
    client: TestClient, app: FastAPI, session: Session, shop: Shop
) -> None:
    other = make_shop(session, slug="other-shop", name="Other")
    make_form(session, shop=shop)
    make_form(session, shop=other, fields=[{"key": "x", "label": "X", "type": "yes_no"}])

    client.post(_capture_url(shop), json=inquiry_payload(answers=GOOD_ANSWERS))
    client.post(_capture_url(other), json=inquiry_payload(answers={"x": "yes"}))

    documents = {d["shop_id"]: d["answers"] for d in raw_documents(app)}
    assert documents[other.id] == {"x": True}
    assert documents[shop.id]["hair_type"] == "Curly"


def test_forgetting_an_inquiry_erases_its_answers(
    client: TestClient, app: FastAPI, session: Session, shop: Shop, owner_headers: dict[str, str]
) -> None:
    make_form(session, shop=shop)
    created = client.post(_capture_url(shop), json=inquiry_payload(answers=GOOD_ANSWERS)).json()

    response = client.delete(f"{_capture_url(shop)}/{created['id']}", headers=owner_headers)

    assert response.status_code == 204
    assert raw_documents(app) == []


def test_without_a_form_the_capture_path_runs_no_extra_query(
    client: TestClient, database: Database, shop: Shop
) -> None:
    client.post(_capture_url(shop), json=inquiry_payload())  # the shop (and form) now cached
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        response = client.post(_capture_url(shop), json=inquiry_payload())
    finally:
        event.remove(database.engine, "before_cursor_execute", record)

    assert response.status_code == 201
    assert [s.split("(")[0].strip() for s in statements] == ["INSERT INTO inquiries"]
