"""In Chromium: build a segment and watch its count, create a campaign, send it, see results."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from barberbot.campaigns.sender import Sender
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Shop, User
from tests.browser import screenshot
from tests.campaigns.factories import make_person
from tests.factories import PASSWORD
from tests.support.screenshots import SCREENSHOTS
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.browser


def test_segment_count_campaign_send_and_results(
    desk: Page,
    live_url: str,
    session: Session,
    shop: Shop,
    owner: User,
    database: Database,
    settings: Settings,
    smtp: SmtpServer,
) -> None:
    make_person(session, shop=shop, name="Kwame Mensah", email="kwame@x.example", age=41)
    make_person(session, shop=shop, name="Liam Byrne", email="liam@x.example", age=36)
    make_person(session, shop=shop, name="Zoë Núñez", email="zoe@x.example", age=29)
    desk.goto(f"{live_url}/login")
    desk.get_by_label("E-mail").fill(owner.email)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()

    desk.get_by_role("link", name="Campaigns").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Campaigns")
    # the builder: ticks and numbers, counted as the owner changes them
    count = desk.locator("#builder-count")
    expect(count).to_contain_text("Matching customers: 3 — e.g.")  # all agreed to e-mail
    desk.get_by_label("Name of the segment").fill("Over 35")
    desk.get_by_label("Age from").fill("40")
    desk.get_by_label("Age to").fill("30")
    expect(count).to_have_text("min must not be above max.")
    desk.get_by_label("Age to").fill("")
    desk.get_by_label("Age from").fill("35")
    expect(count).to_contain_text("Matching customers: 2")
    desk.get_by_label("Female").check()
    expect(count).to_have_text("Matching customers: 0")
    desk.get_by_label("Female").uncheck()
    expect(count).to_contain_text("Matching customers: 2")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desk.locator("#builder-form").screenshot(path=str(SCREENSHOTS / "segment-builder.png"))
    # the JSON editor beside it, for OR groups
    desk.get_by_text("Or write the rule as JSON").click()
    desk.locator("#segment-rule").fill('{"any": [{"field": "age", "max": 30}')
    expect(desk.locator("#segment-count")).to_have_text("The rule is not valid JSON yet.")
    desk.locator("#segment-rule").fill('{"any": [{"field": "age", "max": 30}]}')
    expect(desk.locator("#segment-count")).to_contain_text("Matching customers: 1")

    desk.locator("#builder-form").get_by_role("button", name="Save segment").click()
    expect(desk.get_by_role("cell", name="Over 35")).to_be_visible()

    desk.locator("#c-name").fill("Autumn beard week")
    desk.locator("#c-subject").fill("{{ first_name }}, your beard misses us")
    desk.locator("#c-body").fill("Hi {{ first_name }}, 20% off with {{ promo_code }}.")
    desk.locator("#c-promo").fill("BEARD20")
    desk.get_by_role("button", name="Create campaign").click()
    expect(desk.locator("#preview-body")).to_contain_text("20% off with BEARD20.")
    desk.get_by_role("button", name="Send to the segment").click()
    expect(desk.get_by_role("status")).to_contain_text("Scheduled")

    Sender(database, settings).run(until_idle=True)
    desk.reload()

    results = desk.locator("#results")
    expect(results.get_by_role("row", name="Delivered")).to_contain_text("2")
    assert sorted(r for m in smtp.messages() for r in m.recipients) == [
        "kwame@x.example",
        "liam@x.example",
    ]
    screenshot(desk, "campaign.png")
