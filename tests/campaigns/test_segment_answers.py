"""Segment conditions on custom choice answers (the SQL answer store), worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.campaigns import rules, segments
from barberbot.forms.store import AnswerDocument, SqlAnswerStore
from barberbot.models import Shop
from tests.campaigns.factories import People, days_ago, make_answered, sync
from tests.factories import make_form, make_inquiry, make_shop

PEOPLE: People = [
    ("Al", 25, "male", [{"hair_type": "Curly", "heard_from": ["Friend", "Instagram"]}, None]),
    ("Bo", 34, "male", [{"hair_type": "Straight", "heard_from": ["Friend"]}]),
    ("Cy", 40, "male", [{"hair_type": "Wavy"},
                        {"hair_type": "Curly", "heard_from": ["Walked past"]}]),
    ("Di", 29, "female", [{"hair_type": "Curly", "heard_from": ["Instagram"]}]),
    ("Ed", 50, "female", [None]),
    ("Fa", 60, "male", [{"hair_type": "Straight", "heard_from": ["Instagram"],
                         "barber": "Curly"}]),  # a text answer that reads like an option
]  # fmt: skip


@pytest.fixture
def answered(session: Session, shop: Shop) -> Shop:
    return make_answered(session, shop, PEOPLE)


def answer(key: str, *options: str) -> dict[str, Any]:
    return {"field": "answer", "key": key, "in": list(options)}


def _names(session: Session, shop: Shop, raw: dict[str, Any]) -> set[str]:
    found = segments.preview(session, shop, segments.parse(session, shop, raw), sample=100)
    names = {c.name for c in found.sample}
    assert found.count == len(names)
    return names


CASES = [
    (answer("hair_type", "Curly"), {"Al", "Cy", "Di"}),
    (answer("hair_type", "Straight", "Wavy"), {"Bo", "Cy", "Fa"}),
    (answer("heard_from", "Instagram"), {"Al", "Di", "Fa"}),  # one of a list's items
    (answer("heard_from", "Walked past"), {"Cy"}),
    ({"all": [{"field": "gender", "in": ["male"]}, answer("hair_type", "Curly")]}, {"Al", "Cy"}),
    ({"any": [answer("heard_from", "Walked past"), {"field": "gender", "in": ["female"]}]},
     {"Cy", "Di", "Ed"}),
    ({"all": [answer("hair_type", "Curly"), answer("heard_from", "Friend")]}, {"Al"}),
    # each condition is met by some inquiry of the customer, not necessarily the same one
    ({"all": [answer("hair_type", "Wavy"), answer("heard_from", "Walked past")]}, {"Cy"}),
    ({"all": [{"any": [answer("hair_type", "Straight"), answer("heard_from", "Instagram")]},
              {"field": "age", "max": 35}]},
     {"Al", "Bo", "Di"}),
    ({"any": [answer("hair_type", "Wavy"), {"field": "age", "min": 50}]}, {"Cy", "Ed", "Fa"}),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "expected"), CASES)
def test_answer_conditions_match_hand_computed_customers(
    session: Session, answered: Shop, rule: dict[str, Any], expected: set[str]
) -> None:
    assert _names(session, answered, rule) == expected


def test_answers_of_another_shop_do_not_count(session: Session, answered: Shop) -> None:
    other_shop = make_shop(session, slug="other")
    form = make_form(session, shop=other_shop)
    when = days_ago(3)
    inquiry = make_inquiry(
        session, shop=other_shop, received_at=when, email="zed@x.example", phone=None
    )
    SqlAnswerStore().save(
        session,
        [AnswerDocument(inquiry.id, other_shop.id, form.version, when, {"hair_type": "Wavy"})],
    )
    session.commit()
    sync(session, other_shop)

    assert _names(session, answered, answer("hair_type", "Wavy")) == {"Cy"}
    assert len(_names(session, other_shop, answer("hair_type", "Wavy"))) == 1


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        (answer("eye_colour", "Blue"), "rule.key", "No choice question 'eye_colour'"),
        (answer("barber", "Sam"), "rule.key", "choice questions: hair_type, heard_from"),
        (answer("hair_type", "Bald"), "rule.in", "'Bald' is not an option of 'hair_type'"),
        ({"all": [{"field": "gender", "in": ["male"]},
                  {"any": [answer("heard_from", "TikTok")]}]},
         "rule.all.1.any.0.in", "use Friend, Instagram, Walked past"),
        ({"field": "answer", "key": "hair_type", "in": []}, "rule.in", "at least 1"),
        # yes/no questions (test_segment_yes_no.py)
        ({"field": "yes_no", "key": "hair_type", "answered": "yes"}, "rule.key",
         "No yes/no question 'hair_type'"),
        ({"field": "yes_no", "key": "newsletter", "answered": "no"}, "rule.key",
         "yes/no questions: first_visit."),
        ({"any": [{"field": "gender", "in": ["male"]},
                  {"field": "yes_no", "key": "first_visit", "answered": "maybe"}]},
         "rule.any.1.answered", "'yes' or 'no'"),
        ({"field": "yes_no", "answered": "yes"}, "rule.key", "required"),
    ],
)  # fmt: skip
def test_unknown_questions_options_and_answers_get_a_field_error(
    client: TestClient,
    owner_headers: dict[str, str],
    answered: Shop,
    rule: dict[str, Any],
    field: str,
    message: str,
) -> None:
    for url, body in (
        (f"/api/v1/shops/{answered.slug}/segments", {"name": "Bad", "rule": rule}),
        (f"/api/v1/shops/{answered.slug}/segments/preview", {"rule": rule}),
    ):
        response = client.post(url, json=body, headers=owner_headers)

        assert response.status_code == 422, response.text
        errors = response.json()["errors"]
        assert message in errors[field], errors


def test_a_shop_without_a_form_has_no_questions_to_ask_about(session: Session, shop: Shop) -> None:
    with pytest.raises(rules.RuleInvalid) as raised:
        segments.parse(session, shop, answer("hair_type", "Curly"))

    assert "choice questions: none" in raised.value.errors["rule.key"]


def test_the_api_counts_and_saves_answer_segments(
    client: TestClient, owner_headers: dict[str, str], answered: Shop
) -> None:
    rule = {"all": [{"field": "gender", "in": ["male"]}, answer("hair_type", "Curly")]}
    base = f"/api/v1/shops/{answered.slug}/segments"

    preview = client.post(f"{base}/preview", json={"rule": rule}, headers=owner_headers)
    saved = client.post(base, json={"name": "Curly men", "rule": rule}, headers=owner_headers)

    assert preview.status_code == 200, preview.text
    assert preview.json()["count"] == 2
    assert {c["name"] for c in preview.json()["sample"]} == {"Al", "Cy"}
    assert saved.status_code == 201, saved.text
    assert saved.json()["rule"] == rule
    again = client.get(f"{base}/{saved.json()['id']}/preview", headers=owner_headers)
    assert again.json()["count"] == 2


class _ElsewhereStore:
    """Stands in for the MongoDB store: answers kept outside the SQL database."""

    in_database = False


def test_with_mongodb_answer_conditions_are_refused_clearly(
    app: FastAPI, client: TestClient, owner_headers: dict[str, str], answered: Shop
) -> None:
    app.state.answer_store = _ElsewhereStore()
    rule = {"any": [{"field": "age", "min": 50}, answer("hair_type", "Curly")]}
    base = f"/api/v1/shops/{answered.slug}/segments"

    saved = client.post(base, json={"name": "Curly", "rule": rule}, headers=owner_headers)
    preview = client.post(f"{base}/preview", json={"rule": rule}, headers=owner_headers)
    plain = client.post(
        f"{base}/preview", json={"rule": {"field": "age", "min": 50}}, headers=owner_headers
    )

    for response in (saved, preview):
        assert response.status_code == 422, response.text
        assert "MongoDB" in response.json()["errors"]["rule.any.1"]
    assert plain.status_code == 200
    assert plain.json()["count"] == 2


def test_compiling_with_mongodb_refuses_too(session: Session, answered: Shop) -> None:
    rule = rules.parse(answer("hair_type", "Curly"))  # e.g. saved before the store changed

    with pytest.raises(rules.RuleInvalid, match="MongoDB"):
        segments.preview(session, answered, rule, answers_in_sql=False)
