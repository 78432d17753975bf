"""The owner signs in, sees the latest inquiries, copies the snippet and exports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from barberbot.models import Shop, User
from tests.browser import screenshot
from tests.factories import PASSWORD, make_inquiry

pytestmark = pytest.mark.browser

CUSTOMERS = [
    ("Zoë Núñez", "female", "hair_colouring", 29),
    ("Kwame Mensah", "male", "beard_trim", 41),
    ("Liam O'Connor", "male", "kids_cut", 36),
    ("Alex Kim", "non_binary", "styling", 23),
]


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    """A desktop-sized page that may use the clipboard."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page: Page, live_url: str, email: str, password: str) -> None:
    page.goto(f"{live_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_owner_sees_inquiries_copies_the_snippet_exports_and_signs_out(
    desk: Page, live_url: str, session: Session, shop: Shop, owner: User
) -> None:
    now = datetime.now(UTC)
    for n, (name, gender, kind, age) in enumerate(CUSTOMERS):
        make_inquiry(
            session,
            shop=shop,
            customer_name=name,
            gender=gender,
            inquiry_type=kind,
            age=age,
            received_at=now - timedelta(hours=n * 5),
        )

    _sign_in(desk, live_url, owner.email, PASSWORD)

    expect(desk.get_by_role("heading", level=1)).to_have_text("King's Cuts")
    rows = desk.locator("table tbody tr")
    expect(rows).to_have_count(len(CUSTOMERS))
    expect(rows.first).to_contain_text("Zoë Núñez")
    snippet = desk.get_by_label("Embed snippet")
    assert snippet.input_value().startswith(
        f'<iframe data-barberbot src="{live_url}/s/{shop.slug}/'
    )
    desk.get_by_role("button", name="Copy").click()
    expect(desk.get_by_text("Copied!")).to_be_visible()
    assert desk.evaluate("navigator.clipboard.readText()") == snippet.input_value()
    screenshot(desk, "owner-shop.png")

    with desk.expect_download() as download:
        desk.get_by_role("link", name="Export CSV").click()
    exported = download.value.path().read_text(encoding="utf-8-sig")
    assert all(name in exported for name, *_ in CUSTOMERS)

    desk.get_by_role("button", name="Sign out").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Sign in to BarberBot")
    desk.goto(f"{live_url}/shops/{shop.slug}")
    expect(desk).to_have_url(f"{live_url}/login?next=%2Fshops%2F{shop.slug}")


def test_a_wrong_password_is_refused(desk: Page, live_url: str, owner: User) -> None:
    _sign_in(desk, live_url, owner.email, "not-the-password")

    expect(desk.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    expect(desk).to_have_url(f"{live_url}/login")
