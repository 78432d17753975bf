"""The dashboard on the demo shop `make run` loads: the README's screenshots come from here.

The figures the test checks are counted from the database by the test itself, so a
screenshot is only taken of a dashboard that shows the right numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from barberbot.demo.data import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from barberbot.models import Inquiry, Shop
from tests.browser import screenshot

pytestmark = pytest.mark.browser
expect.set_options(timeout=15_000)


@pytest.fixture
def demo(session: Session) -> Shop:
    shop = load_demo(session).shop
    session.commit()
    return shop


def _sign_in(browser: Browser, live_url: str, width: int) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_url}/dashboard/")
    page.get_by_label("E-mail").fill(DEMO_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_url}/dashboard/")
    yield page
    context.close()


@pytest.fixture
def desk(browser: Browser, live_url: str, demo: Shop) -> Iterator[Page]:
    yield from _sign_in(browser, live_url, 1280)


@pytest.fixture
def phone(browser: Browser, live_url: str, demo: Shop) -> Iterator[Page]:
    yield from _sign_in(browser, live_url, 400)


def _last_30_days(session: Session, shop: Shop) -> tuple[int, int]:
    """(inquiries, locations) of the demo shop in the dashboard's default view."""
    since = datetime.now(UTC) - timedelta(days=30)
    inquiries, locations = session.execute(
        select(func.count(), func.count(distinct(Inquiry.location))).where(
            Inquiry.shop_id == shop.id, Inquiry.received_at >= since
        )
    ).one()
    return int(inquiries), int(locations)


def _shows_the_demo_numbers(page: Page, session: Session, demo: Shop) -> None:
    inquiries, locations = _last_30_days(session, demo)
    assert inquiries > 50  # a realistic month, not a near-empty page
    expect(page.locator("#kpi-inquiries .bb-kpi-value")).to_have_text(f"{inquiries:,}")
    expect(page.locator("#by-location tbody tr")).to_have_count(locations)
    expect(page.locator("#insights li").first).to_contain_text("on the previous 30 days")
    expect(page.locator("#chart-heatmap .js-plotly-plot")).to_be_visible()
    expect(page.locator("#kpi-unique-value")).not_to_have_text("…")  # counted, not loading


def test_the_demo_dashboard_on_a_desk(desk: Page, session: Session, demo: Shop) -> None:
    _shows_the_demo_numbers(desk, session, demo)
    screenshot(desk, "dashboard.png")


def test_the_demo_dashboard_on_a_phone(phone: Page, session: Session, demo: Shop) -> None:
    _shows_the_demo_numbers(phone, session, demo)
    # one column: every chart as wide as the page, no sideways scrolling
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400
    screenshot(phone, "dashboard-phone.png")
