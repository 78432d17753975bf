"""Segment conditions on yes/no questions ("answered yes" / "answered no"), by hand."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session

from barberbot.app import create_app
from barberbot.campaigns import rules, segments
from barberbot.campaigns.builder import build, choices_for, fields_of
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.forms import service as forms
from barberbot.models import Shop, User
from tests.campaigns.factories import People, make_answered
from tests.campaigns.test_builder import _sign_in
from tests.campaigns.test_segment_answers import answer

# "first_visit" is the form's yes/no question, its answers kept as JSON true/false
PEOPLE: People = [
    ("Al", 25, "male", [{"first_visit": True, "hair_type": "Curly"}]),
    ("Bo", 34, "male", [{"first_visit": False, "hair_type": "Straight"}]),
    ("Cy", 40, "male", [{"first_visit": True}, {"first_visit": False, "hair_type": "Curly"}]),
    ("Di", 29, "female", [{"hair_type": "Curly"}]),  # not answered
    ("Ed", 50, "female", [None]),
    ("Fa", 60, "male", [{"first_visit": False, "barber": "true"}]),
    ("Ga", 45, "male", [{"first_visit": "true", "hair_type": "Wavy"}]),  # text, not a yes
]


@pytest.fixture
def answered(session: Session, shop: Shop) -> Shop:
    return make_answered(session, shop, PEOPLE)


def yes_no(key: str, answered: str) -> dict[str, Any]:
    return {"field": "yes_no", "key": key, "answered": answered}


YES, NO = yes_no("first_visit", "yes"), yes_no("first_visit", "no")
MEN, WOMEN = {"field": "gender", "in": ["male"]}, {"field": "gender", "in": ["female"]}
CASES = [
    (YES, {"Al", "Cy"}),
    (NO, {"Bo", "Cy", "Fa"}),  # Cy said yes once and no once: both
    ({"all": [YES, answer("hair_type", "Curly")]}, {"Al", "Cy"}),  # Cy: in two inquiries
    ({"all": [NO, answer("hair_type", "Straight")]}, {"Bo"}),
    ({"all": [YES, NO]}, {"Cy"}),
    ({"any": [YES, WOMEN]}, {"Al", "Cy", "Di", "Ed"}),
    ({"any": [NO, answer("hair_type", "Wavy")]}, {"Bo", "Cy", "Fa", "Ga"}),
    ({"all": [{"any": [YES, {"field": "age", "min": 50}]}, MEN]}, {"Al", "Cy", "Fa"}),
    ({"all": [MEN, {"any": [NO, {"field": "age", "max": 25}]}]}, {"Al", "Bo", "Cy", "Fa"}),
]


@pytest.mark.parametrize(("rule", "expected"), CASES)
def test_yes_no_conditions_match_hand_computed_customers(
    session: Session, answered: Shop, rule: dict[str, Any], expected: set[str]
) -> None:
    found = segments.preview(session, answered, segments.parse(session, answered, rule), sample=99)

    assert {c.name for c in found.sample} == expected
    assert found.count == len(expected)


def test_the_api_counts_and_saves_yes_no_segments(
    client: TestClient, owner_headers: dict[str, str], answered: Shop
) -> None:
    rule = {"all": [MEN, NO]}
    base = f"/api/v1/shops/{answered.slug}/segments"

    preview = client.post(f"{base}/preview", json={"rule": rule}, headers=owner_headers)
    saved = client.post(base, json={"name": "Back again", "rule": rule}, headers=owner_headers)

    assert preview.status_code == 200, preview.text
    assert {c["name"] for c in preview.json()["sample"]} == {"Bo", "Cy", "Fa"}
    assert saved.status_code == 201, saved.text
    assert saved.json()["rule"] == rule


def test_the_builder_offers_yes_no_questions_and_counts_them(
    client: TestClient, session: Session, answered: Shop, owner: User
) -> None:
    choices = choices_for({}, [], forms.current(session, answered))
    built = build({"yes_no.first_visit": ["no"], "gender": ["male"], "yes_no.other": [""]})
    csrf = _sign_in(client, owner.email)

    page = client.get(f"/shops/{answered.slug}/campaigns")
    counted = client.post(
        f"/shops/{answered.slug}/segments/count",
        data={"yes_no.first_visit": "yes", "csrf": csrf},
    )

    assert choices.yes_no == [("first_visit", "First visit?")]
    assert built.rule == {"all": [MEN, NO]}
    assert built.sources == ["gender", "yes_no.first_visit"]
    assert fields_of(built.rule, choices) == {"gender": ["male"], "yes_no.first_visit": ["no"]}
    assert 'name="yes_no.first_visit" value="yes"' in page.text
    assert counted.status_code == 200, counted.text
    assert counted.json()["count"] == 2  # Al, Cy


@pytest.fixture
def mongo_client(
    settings: Settings, database: Database, mongodb_url: str | None
) -> Iterator[TestClient]:
    """The app keeping answers in a real MongoDB-wire server (SecantusDB)."""
    if mongodb_url is None:
        pytest.skip("the MongoDB answer store only")
    app = create_app(settings.model_copy(update={"mongodb_url": SecretStr(mongodb_url)}), database)
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("answer_backend", ["mongodb"], indirect=True)
def test_with_the_mongodb_store_yes_no_conditions_are_refused_clearly(
    mongo_client: TestClient, session: Session, owner_headers: dict[str, str], answered: Shop
) -> None:
    base = f"/api/v1/shops/{answered.slug}/segments"
    rule = {"any": [{"field": "age", "min": 50}, YES]}

    saved = mongo_client.post(base, json={"name": "New", "rule": rule}, headers=owner_headers)
    preview = mongo_client.post(f"{base}/preview", json={"rule": rule}, headers=owner_headers)

    for response in (saved, preview):
        assert response.status_code == 422, response.text
        assert response.json()["errors"]["rule.any.1"] == (
            "Conditions on custom-field answers need the SQL answer store; "
            "this BarberBot keeps answers in MongoDB."
        )
    with pytest.raises(rules.RuleInvalid, match="MongoDB"):  # a rule saved before the change
        segments.preview(session, answered, rules.parse(YES), answers_in_sql=False)


@pytest.mark.parametrize("answer_backend", ["mongodb"], indirect=True)
def test_with_the_mongodb_store_the_builder_offers_no_answer_questions(
    mongo_client: TestClient, answered: Shop, owner: User
) -> None:
    _sign_in(mongo_client, owner.email)

    page = mongo_client.get(f"/shops/{answered.slug}/campaigns")

    assert page.status_code == 200
    assert 'name="gender" value="male"' in page.text  # the builder is there
    assert 'name="yes_no.first_visit"' not in page.text  # but not the questions it refuses
    assert 'name="answer.hair_type"' not in page.text
