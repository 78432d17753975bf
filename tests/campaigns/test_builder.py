"""The segment builder: form inputs to a segment rule and back, and its page routes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.campaigns import rules
from barberbot.campaigns.builder import Choices, build, fields_of
from barberbot.models import Segment, Shop, User
from tests.campaigns.factories import days_ago, make_person
from tests.factories import PASSWORD, make_form
from tests.support.dashboard import sign_in


def test_every_filled_in_part_becomes_one_condition_in_the_order_of_the_form() -> None:
    built = build(
        {
            "name": ["Beard lovers"],
            "age_min": ["25"],
            "age_max": [" 34 "],
            "gender": ["male"],
            "inquiry_type": ["beard_trim", "shave", "beard_trim"],
            "type_within_days": ["60"],
            "visits_min": ["2"],
            "away_days": ["90"],
            "location": ["high-street"],
            "answer.hair_type": ["Curly"],
            "answer.heard_from": [],
            "consent": ["sms"],
            "csrf": ["x"],
        }
    )

    assert built.errors == {}
    assert built.rule == {
        "all": [
            {"field": "age", "min": 25, "max": 34},
            {"field": "gender", "in": ["male"]},
            {"field": "inquiry_type", "in": ["beard_trim", "shave"], "within_days": 60},
            {"field": "location", "in": ["high-street"]},
            {"field": "inquiry_count", "min": 2},
            {"field": "last_inquiry", "more_than_days_ago": 90},
            {"field": "answer", "key": "hair_type", "in": ["Curly"]},
            {"field": "consent", "channel": "sms"},
        ]
    }
    assert built.sources == [
        "age_min", "gender", "inquiry_type", "location", "visits_min", "away_days",
        "answer.hair_type", "consent",
    ]  # fmt: skip
    rules.parse(built.rule)  # a rule the checker takes as it is


NOTHING = {"rule": "Tick or fill in at least one thing these customers have in common."}
TYPES = {"haircut": "Haircut", "beard_trim": "Beard trim", "shave": "Shave"}
CHOICES = Choices(
    inquiry_types=list(TYPES.items()),
    locations=[("high-street", "high-street"), ("station-road", "station-road")],
    questions=[("hair_type", "Hair type", [(o, o) for o in ("Straight", "Wavy", "Curly")])],
    yes_no=[("first_visit", "First visit?")],
)
WHOLE_NUMBER = "Enter a whole number from 0 to 3650."


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({}, NOTHING),
        ({"consent": [""]}, NOTHING),
        ({"age_min": ["-3"]}, {"age_min": WHOLE_NUMBER}),
        ({"age_min": ["²"]}, {"age_min": WHOLE_NUMBER}),  # a digit to str.isdigit, not to int
        ({"visits_min": ["٣"]}, {"visits_min": WHOLE_NUMBER}),  # Arabic-Indic three
        ({"gender": ["male"], "type_within_days": ["30"]},
         {"type_within_days": "Tick what they asked about too, or leave this empty."}),
        ({"age_min": ["thirty"], "visits_min": ["9999"]},
         {"age_min": "Enter a whole number from 0 to 3650.",
          "visits_min": "Enter a whole number from 0 to 3650."}),
    ],
)  # fmt: skip
def test_inputs_that_are_not_numbers_or_nothing_at_all_are_named(
    form: dict[str, list[str]], errors: dict[str, str]
) -> None:
    assert build(form).errors == errors


def test_the_rule_checkers_messages_go_beside_the_inputs_they_came_from() -> None:
    built = build({"gender": ["female"], "age_min": ["40"], "age_max": ["30"]})
    with pytest.raises(rules.RuleInvalid) as refused:
        rules.parse(built.rule)

    assert built.input_errors(refused.value.errors) == {"age_min": "min must not be above max."}
    others = {"name": "Taken.", "rule": "Bad."}
    assert built.input_errors(others) == others


@pytest.mark.parametrize(
    "form",
    [
        {"gender": ["male"], "age_band": ["25-34"], "inquiry_type": ["beard_trim"],
         "type_within_days": ["60"]},
        {"age_min": ["18"], "visits_min": ["3"], "last_within_days": ["30"], "consent": ["email"]},
        {"location": ["station-road"], "answer.hair_type": ["Wavy", "Curly"]},
    ],
)  # fmt: skip
def test_a_built_rule_comes_back_as_the_same_form(form: dict[str, list[str]]) -> None:
    assert fields_of(build(form).rule, CHOICES) == form


@pytest.mark.parametrize(
    "rule",
    [
        {"any": [{"field": "age", "min": 30}, {"field": "gender", "in": ["male"]}]},
        {"all": [{"all": [{"field": "age", "min": 30}]}]},
        {"all": [{"field": "last_inquiry", "after": "2026-01-01"}]},
        {"all": [{"field": "gender", "in": ["male"]}, {"field": "gender", "in": ["female"]}]},
        {"all": [{"field": "inquiry_count", "max": 3}]},
        {"all": "everyone"},
        ["not", "a", "rule"],
        # values the form has no tick box for: a location nobody last came in at, a retired
        # inquiry type, an option or a question no longer on the form
        {"all": [{"field": "location", "in": ["old-town"]}]},
        {"all": [{"field": "inquiry_type", "in": ["hot_towel"]}]},
        {"all": [{"field": "answer", "key": "hair_type", "in": ["Bald"]}]},
        {"all": [{"field": "answer", "key": "gone", "in": ["x"]}]},
        {"all": [{"field": "yes_no", "key": "gone", "answered": "yes"}]},
    ],
)
def test_rules_only_json_can_show_stay_in_the_json_editor(rule: Any) -> None:
    assert fields_of(rule, CHOICES) is None


def test_a_single_condition_fills_the_form_too() -> None:
    assert fields_of({"field": "age_band", "in": ["18-24"]}, CHOICES) == {"age_band": ["18-24"]}


# The page routes, through the test client


def _sign_in(client: TestClient, email: str) -> str:
    """Signed in; the CSRF token of the signed-in pages."""
    sign_in(client, email, PASSWORD, next_url="/")
    return _csrf(client.get("/").text)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _people(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Old Friend", email="old@x.example", age=52,
                gender="male", inquiry_type="shave", at=days_ago(200))  # fmt: skip
    make_person(session, shop=shop, name="New Beard", email="new@x.example", age=29,
                gender="male", inquiry_type="beard_trim", at=days_ago(3))  # fmt: skip
    make_person(session, shop=shop, name="Ana Colour", email="ana@x.example", age=31,
                gender="female", inquiry_type="hair_colouring", at=days_ago(10))  # fmt: skip
    make_person(session, shop=shop, name="No Consent", email="nc@x.example", age=33,
                gender="male", inquiry_type="beard_trim", consent=False)  # fmt: skip


def test_the_live_count_of_ticks_is_the_customers_they_mean(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    _people(session, shop)
    csrf = _sign_in(client, owner.email)
    url = f"/shops/{shop.slug}/segments/count"

    men = client.post(url, data={"gender": ["male"], "consent": "email", "csrf": csrf})
    away = client.post(url, data={"away_days": "90", "csrf": csrf})
    bad = client.post(url, data={"age_min": "50", "age_max": "20", "csrf": csrf})
    gone = client.post(url, data={"answer.gone": "x", "gender": ["male"], "csrf": csrf})
    forged = client.post(url, data={"gender": ["male"]})

    assert men.status_code == 200, men.text
    assert men.json()["count"] == 2  # Old Friend, New Beard: No Consent did not agree
    assert sorted(men.json()["sample"]) == ["New Beard", "Old Friend"]
    assert (away.json()["count"], away.json()["sample"]) == (1, ["Old Friend"])
    assert bad.status_code == 422
    assert bad.json() == {"errors": {"age_min": "min must not be above max."}}
    # a question retired since the page was drawn: its error shows at the top of the form
    assert gone.status_code == 422
    assert list(gone.json()["errors"]) == ["rule"]
    assert "No choice question 'gone'" in gone.json()["errors"]["rule"]
    assert forged.status_code == 403  # no CSRF token


def test_saving_a_built_segment_and_its_errors(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    _people(session, shop)
    csrf = _sign_in(client, owner.email)
    url = f"/shops/{shop.slug}/segments/build"

    refused = client.post(url, data={"name": "", "gender": ["male"], "csrf": csrf})
    unticked = client.post(url, data={"name": "Empty", "consent": "", "csrf": csrf})
    saved = client.post(
        url,
        data={"name": "Recent beards", "inquiry_type": ["beard_trim"], "type_within_days": "30",
              "consent": "email", "csrf": csrf},
    )  # fmt: skip

    assert refused.status_code == 422
    assert "A segment needs a name of 1 to 120 characters." in refused.text
    assert 'value="male" checked' in refused.text  # the owner's ticks are kept
    assert unticked.status_code == 422
    assert "Tick or fill in at least one thing" in unticked.text
    retired = client.post(url, data={"name": "Old", "answer.gone": "x", "csrf": csrf})
    assert retired.status_code == 422  # a question no longer on the form: said at the top
    assert re.search(r'<p class="error" id="b-rule-error">No choice question', retired.text)
    assert saved.status_code == 200  # redirected to the list, where it is counted
    assert re.search(r"<td>Recent beards</td><td>1</td>", saved.text)
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    segment = session.scalars(select(Segment)).one()
    assert segment.rule == {
        "all": [
            {"field": "inquiry_type", "in": ["beard_trim"], "within_days": 30},
            {"field": "consent", "channel": "email"},
        ]
    }


def test_the_builder_refuses_a_post_without_the_csrf_token(
    client: TestClient, shop: Shop, owner: User
) -> None:
    _sign_in(client, owner.email)
    response = client.post(f"/shops/{shop.slug}/segments/build", data={"gender": ["male"]})
    assert response.status_code == 403


def test_a_link_from_an_insight_prefills_the_builder_or_else_the_json_editor(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    make_form(session, shop=shop)
    _sign_in(client, owner.email)
    simple = {"all": [{"field": "gender", "in": ["male"]},
                      {"field": "answer", "key": "hair_type", "in": ["Curly"]}]}  # fmt: skip
    either = {"any": [{"field": "gender", "in": ["male"]}, {"field": "age", "min": 60}]}

    built = client.get(f"/shops/{shop.slug}/campaigns", params={"rule": json.dumps(simple)})
    json_only = client.get(f"/shops/{shop.slug}/campaigns", params={"rule": json.dumps(either)})

    assert 'name="gender" value="male" checked' in built.text
    assert 'name="answer.hair_type" value="Curly" checked' in built.text
    assert 'name="answer.hair_type" value="Wavy">' in built.text  # an option of the question
    assert '<details id="segment-json">' in built.text  # closed: the builder shows it all
    assert '<details id="segment-json" open>' in json_only.text
    assert '"any"' in json_only.text
