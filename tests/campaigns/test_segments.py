"""Segment rules compiled to SQL, against answers worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.campaigns import rules, segments
from barberbot.models import Customer, Segment, Shop, User
from tests.campaigns.factories import days_ago, make_person, sync
from tests.web.test_inbox_pages import sign_in

# name, age, gender, [(inquiry type, days ago)], location, e-mail?, phone?, consent
PEOPLE: list[tuple[str, int, str, list[tuple[str, int]], str | None, bool, bool, bool]] = [
    ("Al", 25, "male", [("beard_trim", 10)], "high", True, True, True),
    ("Bo", 34, "male", [("haircut", 100), ("beard_trim", 70)], "high", True, False, True),
    ("Cy", 40, "male", [("beard_trim", 5)], "low", True, False, False),
    ("Di", 29, "female", [("hair_colouring", 3), ("haircut", 20), ("haircut", 200)], "low",
     False, True, True),
    ("Ed", 17, "other", [("haircut", 1)], None, True, False, True),
    ("Fa", 65, "female", [("shave", 400)], "high", True, False, True),
]  # fmt: skip


@pytest.fixture
def people(session: Session, shop: Shop) -> None:
    for index, (name, age, gender, asked, location, mail, phone, consent) in enumerate(PEOPLE):
        for kind, days in asked:
            make_person(
                session,
                shop=shop,
                name=name,
                age=age,
                gender=gender,
                inquiry_type=kind,
                at=days_ago(days),
                location=location,
                email=f"{name.lower()}@x.example" if mail else None,
                phone=f"+4477009000{index:02d}" if phone else None,
                consent=consent,
            )
    sync(session, shop)


def _names(session: Session, shop: Shop, rule: dict[str, Any]) -> set[str]:
    found = segments.preview(session, shop, rules.parse(rule), sample=100)
    names = {c.name for c in found.sample}
    assert found.count == len(names)
    return names


CASES = [
    ({"all": [{"field": "gender", "in": ["male"]}, {"field": "age", "min": 25, "max": 34}]},
     {"Al", "Bo"}),
    ({"field": "age_band", "in": ["25-34"]}, {"Al", "Bo", "Di"}),
    ({"field": "inquiry_type", "in": ["beard_trim"], "within_days": 60}, {"Al", "Cy"}),
    ({"field": "inquiry_type", "in": ["beard_trim"]}, {"Al", "Bo", "Cy"}),
    ({"field": "inquiry_count", "min": 2}, {"Bo", "Di"}),
    ({"any": [{"field": "gender", "in": ["female"]}, {"field": "age", "max": 17}]},
     {"Di", "Ed", "Fa"}),
    ({"all": [{"field": "consent", "channel": "email"},
              {"any": [{"field": "location", "in": ["low"]},
                       {"field": "inquiry_type", "in": ["haircut"], "within_days": 30}]}]},
     {"Ed"}),
    ({"field": "consent", "channel": "sms"}, {"Al", "Di"}),
    ({"field": "last_inquiry", "more_than_days_ago": 60}, {"Bo", "Fa"}),
    ({"field": "first_inquiry", "within_days": 30}, {"Al", "Cy", "Ed"}),
    ({"field": "first_inquiry", "before": days_ago(150).date().isoformat()}, {"Di", "Fa"}),
    ({"field": "location", "in": ["low"]}, {"Cy", "Di"}),
    ({"field": "gender", "in": ["other", "non_binary"]}, {"Ed"}),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "expected"), CASES)
@pytest.mark.usefixtures("people")
def test_rules_match_hand_computed_customers(
    session: Session, shop: Shop, rule: dict[str, Any], expected: set[str]
) -> None:
    assert _names(session, shop, rule) == expected


@pytest.mark.usefixtures("people")
def test_preview_api_counts_and_samples_live(
    client: TestClient, owner_headers: dict[str, str], shop: Shop
) -> None:
    rule = {"field": "inquiry_count", "min": 2}

    response = client.post(
        f"/api/v1/shops/{shop.slug}/segments/preview", json={"rule": rule}, headers=owner_headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 2
    assert {c["name"] for c in body["sample"]} == {"Bo", "Di"}


def test_a_new_inquiry_shows_in_the_next_preview(
    client: TestClient, owner_headers: dict[str, str], session: Session, shop: Shop
) -> None:
    url = f"/api/v1/shops/{shop.slug}/segments/preview"
    rule = {"field": "gender", "in": ["female"]}
    assert client.post(url, json={"rule": rule}, headers=owner_headers).json()["count"] == 0

    make_person(session, shop=shop, name="New", email="new@x.example", gender="female")

    assert client.post(url, json={"rule": rule}, headers=owner_headers).json()["count"] == 1


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        ({"field": "eye_colour", "in": ["blue"]}, "rule.field", "Unknown condition 'eye_colour'"),
        ({"field": "age", "min": 40, "max": 30}, "rule", "min must not be above max"),
        ({"all": [{"field": "gender", "in": ["robot"]}]}, "rule.all.0.in.0", "Input should be"),
        ({"any": []}, "rule.any", "at least one rule"),
        ({"field": "age_band", "in": ["20-30"]}, "rule", "Unknown age band '20-30'"),
        ({"field": "consent", "channel": "fax"}, "rule.channel", "'email' or 'sms'"),
        ({"field": "age", "minimum": 3}, "rule.minimum", "Unknown field"),
        ({"field": "inquiry_count", "min": 2**63}, "rule.min", "less than or equal to"),
    ],
)
def test_bad_rules_get_a_clear_error_per_field(
    client: TestClient,
    owner_headers: dict[str, str],
    shop: Shop,
    rule: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = client.post(
        f"/api/v1/shops/{shop.slug}/segments", json={"name": "Bad", "rule": rule},
        headers=owner_headers,
    )  # fmt: skip

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert message in errors[field], errors


def test_saved_segments_round_trip(
    client: TestClient, owner_headers: dict[str, str], shop: Shop
) -> None:
    base = f"/api/v1/shops/{shop.slug}/segments"
    rule = {"all": [{"field": "gender", "in": ["male"]}, {"field": "age_band", "in": ["25-34"]}]}

    made = client.post(base, json={"name": "Young men", "rule": rule}, headers=owner_headers)
    again = client.post(base, json={"name": "Young men", "rule": rule}, headers=owner_headers)

    assert made.status_code == 201, made.text
    assert made.json()["rule"] == rule
    assert again.status_code == 422
    assert "already a segment" in again.json()["errors"]["name"]
    listed = client.get(base, headers=owner_headers).json()
    assert [s["name"] for s in listed] == ["Young men"]
    preview = client.get(f"{base}/{made.json()['id']}/preview", headers=owner_headers)
    assert preview.json()["count"] == 0


def test_another_shops_customers_never_match(session: Session, shop: Shop) -> None:
    from tests.factories import make_shop

    other = make_shop(session, slug="other", name="Other")
    make_person(session, shop=other, name="Elsewhere", email="e@x.example")
    sync(session, other)

    assert _names(session, shop, {"field": "inquiry_count", "min": 1}) == set()
    assert session.scalars(select(Customer.name)).all() == ["Elsewhere"]


def test_a_saved_rule_that_todays_checks_refuse_does_not_break_the_campaigns_page(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    session.add(
        Segment(shop_id=shop.id, name="Huge", rule={"field": "inquiry_count", "min": 2**63})
    )
    session.commit()
    sign_in(client, owner)
    page = client.get(f"/shops/{shop.slug}/campaigns")

    assert page.status_code == 200
    assert (
        "<td>Huge</td><td>Not counted: Input should be less than or equal to 2147483647"
        in page.text
    )
