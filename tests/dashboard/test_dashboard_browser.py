"""The dashboard in headless Chromium: sign in, filter, see the numbers, download, live."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from barberbot.models import Shop, User
from tests.browser import screenshot
from tests.factories import PASSWORD, make_inquiry

pytestmark = pytest.mark.browser

# name, gender, age, inquiry type, consent; all within the last 30 days
CUSTOMERS = [
    ("Zoë Núñez", "female", 29, "hair_colouring", True),
    ("Kwame Mensah", "male", 41, "beard_trim", True),
    ("Liam O'Connor", "male", 36, "haircut", False),
    ("Alex Kim", "non_binary", 23, "styling", True),
    ("Tom Hardy", "male", 52, "shave", False),
    ("Ana Lima", "female", 31, "haircut", True),
]


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def customers(session: Session, shop: Shop) -> Shop:
    now = datetime.now(UTC)
    for n, (name, gender, age, kind, consent) in enumerate(CUSTOMERS):
        make_inquiry(
            session,
            shop=shop,
            customer_name=name,
            gender=gender,
            age=age,
            inquiry_type=kind,
            marketing_consent=consent,
            email=f"customer{n}@example.com",
            received_at=now - timedelta(days=n * 3, hours=2),
        )
    return shop


def _sign_in(page: Page, live_url: str, email: str) -> None:
    page.goto(f"{live_url}/dashboard/")  # signed out: sent to the login, then back
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_url}/dashboard/")


def _kpi(page: Page, name: str) -> str:
    return page.locator(f"#kpi-{name} .bb-kpi-value").inner_text()


def test_filters_change_the_numbers_and_the_url(
    desk: Page, live_url: str, customers: Shop, owner: User
) -> None:
    _sign_in(desk, live_url, owner.email)
    expect(desk.locator("#kpi-inquiries .bb-kpi-value")).to_have_text("6")
    expect(desk.locator("#kpi-consent .bb-kpi-value")).to_have_text("67%")
    expect(desk.locator("#insights li").first).to_have_text(
        "6 inquiries in the last 30 days; none in the 30 before."
    )
    expect(desk.locator("#chart-per-day .main-svg").first).to_be_visible()
    screenshot(desk, "dashboard.png")

    desk.locator("#gender").click()
    desk.get_by_role("option", name="Male", exact=True).click()
    desk.keyboard.press("Escape")

    expect(desk.locator("#kpi-inquiries .bb-kpi-value")).to_have_text("3")
    assert "gender=male" in desk.url
    expect(desk.locator("#latest tbody tr")).to_have_count(3)

    desk.goto(desk.url)  # the bookmark brings the same view back
    expect(desk.locator("#kpi-inquiries .bb-kpi-value")).to_have_text("3")

    with desk.expect_download() as download_info:
        desk.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(download_info.value.path().read_text("utf-8-sig"))))
    assert sorted(row["customer_name"] for row in rows) == [
        "Kwame Mensah", "Liam O'Connor", "Tom Hardy",
    ]  # fmt: skip


def test_new_inquiries_appear_without_a_reload(
    desk: Page, live_url: str, customers: Shop, owner: User, session: Session
) -> None:
    _sign_in(desk, live_url, owner.email)
    expect(desk.locator("#kpi-inquiries .bb-kpi-value")).to_have_text("6")

    make_inquiry(session, shop=customers, customer_name="Walk In", received_at=datetime.now(UTC))

    expect(desk.locator("#kpi-inquiries .bb-kpi-value")).to_have_text("7", timeout=8000)
    expect(desk.locator("#latest tbody tr").first).to_contain_text("Walk In")


def test_readable_on_a_phone(page: Page, live_url: str, customers: Shop, owner: User) -> None:
    _sign_in(page, live_url, owner.email)
    expect(page.locator("#kpi-inquiries .bb-kpi-value")).to_have_text("6")

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 480  # no sideways scrolling of the page itself
    screenshot(page, "dashboard-phone.png")


def test_an_empty_shop_explains_what_to_do(desk: Page, live_url: str, owner: User) -> None:
    _sign_in(desk, live_url, owner.email)

    expect(desk.locator("#empty")).to_contain_text("No inquiries match this view yet")
    expect(desk.locator("#kpi-inquiries .bb-kpi-value")).to_have_text("0")
