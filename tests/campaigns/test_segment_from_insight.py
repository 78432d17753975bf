"""Dashboard insights carry the segment rule they name; the segment page takes it prefilled."""

from __future__ import annotations

import html
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.analytics.filters import Period, Selection
from barberbot.analytics.insights import Insight
from barberbot.analytics.summary import summarise
from barberbot.campaigns import rules, segments
from barberbot.dashboard.layout import insight_item
from barberbot.models import Shop, User
from tests.campaigns.factories import NOW, days_ago, make_person, sync
from tests.campaigns.test_pages import _csrf, _sign_in

BEARDED_MEN = {
    "all": [
        {"field": "gender", "in": ["male"]},
        {"field": "age_band", "in": ["25-34"]},
        {"field": "inquiry_type", "in": ["beard_trim"], "within_days": 60},
    ]
}


def test_a_segment_insight_carries_its_rule() -> None:
    insight = Insight(
        "Beard trim inquiries from men 25-34 are up 40% on the previous 60 days.",
        {"inquiry_type": "beard_trim", "gender": "male", "age_band": "25-34"},
        60,
    )

    assert insight.rule == BEARDED_MEN
    assert rules.dump(rules.parse(insight.rule)) == BEARDED_MEN


def test_other_insights_carry_a_rule_or_none() -> None:
    place = Insight("High St had the most.", {"shop_id": "3", "location": "high-street"})
    top = Insight("Haircut is asked most.", {"inquiry_type": "haircut"}, 30)

    assert place.rule == {"field": "location", "in": ["high-street"]}
    assert top.rule == {"field": "inquiry_type", "in": ["haircut"], "within_days": 30}
    assert Insight("Busiest time: Mondays.").rule is None
    assert Insight("Only a shop.", {"shop_id": "3", "location": ""}).rule is None


def test_summary_insights_name_their_segment_and_period(session: Session, shop: Shop) -> None:
    for n in range(14):  # 14 in the last 60 days, 10 in the 60 before: up 40%
        make_person(session, shop=shop, name=f"New {n}", email=f"n{n}@x.example", age=29,
                    gender="male", inquiry_type="beard_trim", at=days_ago(3 + n))  # fmt: skip
    for n in range(10):
        make_person(session, shop=shop, name=f"Old {n}", email=f"o{n}@x.example", age=29,
                    gender="male", inquiry_type="beard_trim", at=days_ago(70 + n))  # fmt: skip
    sync(session, shop)
    period = Period(NOW - timedelta(days=60), NOW + timedelta(minutes=1))

    summary = summarise(session, Selection(shop_ids=(shop.id,), period=period),
                        ZoneInfo("UTC"), shop.type_labels())  # fmt: skip

    named = [i for i in summary.insights if i.segment.get("gender") == "male"]
    assert [i.text for i in named] == [
        "Beard trim inquiries from men 25-34 are up 40% on the previous 60 days."
    ]
    assert named[0].rule == BEARDED_MEN
    found = segments.preview(session, shop, rules.parse(named[0].rule), sample=100)
    assert found.count == 14  # the 14 asked within 60 days; the 10 before did not


def test_the_insights_list_links_to_the_prefilled_segment_page() -> None:
    insight = Insight("Beard trims are up.", {"inquiry_type": "beard_trim", "gender": "male",
                                              "age_band": "25-34"}, 60)  # fmt: skip

    item = insight_item(insight, "kings")
    several_shops = insight_item(insight, None)

    text, _, link = item.children
    assert text == "Beard trims are up."
    assert link.children == "Create a segment"
    url = urlsplit(link.href)
    assert url.path == "/shops/kings/campaigns"
    query = parse_qs(url.query)
    assert json.loads(query["rule"][0]) == BEARDED_MEN
    assert query["name"] == ["Beard trims are up."]
    assert several_shops.children == "Beard trims are up."
    assert insight_item(Insight("Busiest time: Mondays."), "kings").children == (
        "Busiest time: Mondays."
    )


def test_the_segment_page_accepts_the_rule_and_saves_it(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    _sign_in(client, owner.email)
    url = segments.page_url(shop.slug, BEARDED_MEN, "Bearded men")

    page = client.get(url)

    assert page.status_code == 200, page.text
    filled = page.text.split('id="segment-rule"', 1)[1].split("</textarea>", 1)[0]
    assert json.loads(html.unescape(filled.split(">", 1)[1])) == BEARDED_MEN
    assert 'value="Bearded men"' in page.text
    made = client.post(
        f"/shops/{shop.slug}/segments",
        data={"name": "Bearded men", "rule": json.dumps(BEARDED_MEN), "csrf": _csrf(page.text)},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    assert [s.rule for s in segments.all_of(session, shop)] == [BEARDED_MEN]


def test_a_broken_prefilled_rule_is_a_clear_error(
    client: TestClient, shop: Shop, owner: User
) -> None:
    _sign_in(client, owner.email)

    page = client.get(f"/shops/{shop.slug}/campaigns", params={"rule": "{oops"})

    assert page.status_code == 422
    assert "The rule is not valid JSON." in page.text
