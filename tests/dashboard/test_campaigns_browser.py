"""In Chromium: the dashboard's campaigns section shows each campaign's numbers, live."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from barberbot.models import Shop, User
from tests.dashboard.campaign_data import WINTER, make_campaigns
from tests.factories import PASSWORD, make_inquiry
from tests.support.screenshots import SCREENSHOTS

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)  # a busy 2-core machine runs the server, MariaDB and Chromium


def test_the_dashboard_shows_each_campaigns_results(
    desk: Page, live_url: str, session: Session, shop: Shop, owner: User
) -> None:
    made = make_campaigns(session, shop)
    desk.goto(f"{live_url}/dashboard/?shop=kings-cuts")
    desk.get_by_label("E-mail").fill(owner.email)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()

    section = desk.locator("#campaigns")
    expect(section.locator("tbody tr")).to_have_count(3)  # the rival shop's is not there
    expect(section.locator("tbody tr").first).to_contain_text("Summer")
    winter = f"#campaign-{made.winter.id}"
    for key, value in WINTER.items():
        expect(desk.locator(f"{winter}-{key}")).to_have_text(str(value))
    expect(desk.locator(winter)).to_contain_text("email")
    expect(desk.locator(winter)).to_contain_text("sent")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    desk.locator("#campaigns").locator("xpath=..").screenshot(
        path=str(SCREENSHOTS / "dashboard-campaigns.png")
    )

    # live: an inquiry quoting the code shows without reloading
    make_inquiry(session, shop=shop, message="Is BEARD20 still on?")
    expect(desk.locator(f"{winter}-attributed_by_promo_code")).to_have_text("2")

    desk.locator(winter).get_by_role("link", name="Winter").click()
    expect(desk).to_have_url(f"{live_url}/shops/{shop.slug}/campaigns/{made.winter.id}")
    expect(desk.get_by_role("row", name="Kept in the outbox")).to_be_visible()  # no mail server
