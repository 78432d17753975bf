"""The shop settings page in Chromium: an owner adds an inquiry type, moves it up and retires
another; the public form offers the new one and no longer the retired one, while the
dashboard's inquiry-type filter and the campaign segment builder list both (the retired one
said so). The page passes axe-core at laptop and phone width; screenshots `settings.png` and
`settings-phone.png` go to build/screenshots/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from barberbot.models import Shop, User
from tests.browser import screenshot
from tests.factories import PASSWORD, make_inquiry
from tests.support.axe import assert_accessible

pytestmark = pytest.mark.browser


def _fits(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling."""
    assert page.viewport_size is not None
    widest = page.evaluate("document.documentElement.scrollWidth")
    assert widest <= page.viewport_size["width"], f"{widest}px wide"


def test_changed_inquiry_types_show_on_the_form_the_dashboard_and_the_segment_builder(
    desk: Page, live_url: str, session: Session, shop: Shop, owner: User
) -> None:
    make_inquiry(session, shop=shop, inquiry_type="shave",
                 received_at=datetime.now(UTC) - timedelta(days=2))  # fmt: skip
    desk.goto(f"{live_url}/login?next=/shops/kings-cuts/settings")
    desk.get_by_label("E-mail").fill(owner.email)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.wait_for_url(f"{live_url}/shops/kings-cuts/settings")

    desk.get_by_label("Add a type").fill("Beard Trim Inquiry")
    desk.get_by_role("button", name="Add the type").click()
    expect(desk.get_by_role("status")).to_contain_text("Inquiry types saved")
    desk.get_by_role("button", name="Move Beard Trim Inquiry up").click()
    desk.get_by_role("button", name="Retire Shave").click()
    expect(desk.get_by_role("button", name="Bring back Shave")).to_be_visible()
    labels = desk.locator("ol.types input[name=label]")
    expect(labels.nth(9)).to_have_value("Other")
    expect(labels.nth(8)).to_have_value("Beard Trim Inquiry")
    assert_accessible(desk)
    screenshot(desk, "settings.png")
    desk.set_viewport_size({"width": 375, "height": 812})
    desk.reload()
    _fits(desk)
    assert_accessible(desk)
    screenshot(desk, "settings-phone.png")
    desk.set_viewport_size({"width": 1280, "height": 900})

    desk.goto(f"{live_url}/s/kings-cuts/inquire")
    offered = desk.locator("#inquiry_type option").all_inner_texts()
    desk.goto(f"{live_url}/dashboard/?shop=kings-cuts&period=30d")
    desk.locator("#inquiry-type").click()
    expect(desk.get_by_role("option", name="Beard Trim Inquiry", exact=True)).to_be_visible()
    expect(desk.get_by_role("option", name="Shave (retired)", exact=True)).to_be_visible()
    desk.keyboard.press("Escape")
    desk.goto(f"{live_url}/shops/kings-cuts/campaigns")
    builder = desk.locator("fieldset.ticks", has_text="Asked about")

    assert offered[-2:] == ["Beard Trim Inquiry", "Other"]
    assert "Shave" not in offered
    expect(builder.get_by_label("Beard Trim Inquiry")).to_be_visible()
    expect(builder.get_by_label("Shave (retired)")).to_be_visible()
