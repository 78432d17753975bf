"""The account page in Chromium: an owner finds it in the nav, makes an API token (shown once)
and revokes an old one on a laptop, then changes their password on a phone, a mistyped
current password refused beside the field; the laptop's session ends with it. The page passes
axe-core at both widths; its screenshot goes to build/screenshots/account.png."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from barberbot.models import User
from tests.browser import screenshot
from tests.factories import PASSWORD, make_token
from tests.support.axe import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    yield context.new_page()
    context.close()


def _sign_in(page: Page, live_url: str, user: User, password: str = PASSWORD) -> None:
    page.goto(f"{live_url}/account")  # asks to sign in, then comes back
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_url}/account")


def _fits(page: Page) -> None:
    assert page.viewport_size is not None
    widest = page.evaluate("document.documentElement.scrollWidth")
    assert widest <= page.viewport_size["width"], f"{widest}px wide"


def test_tokens_made_and_revoked_and_the_password_changed(
    desk: Page, phone: Page, live_url: str, session: Session, owner: User
) -> None:
    make_token(session, owner, "Old laptop")
    _sign_in(desk, live_url, owner)
    expect(desk.get_by_role("link", name="Account")).to_have_attribute("aria-current", "page")

    desk.get_by_label("What it is for").fill("Front counter")
    desk.get_by_label("Stops working").select_option(label="In 90 days")
    desk.get_by_role("button", name="Make token").click()
    shown = desk.get_by_label("The new API token")
    expect(shown).to_have_value(re.compile(r"^bbt_.{20,}$"))
    tokens = desk.locator("#tokens > li")
    expect(tokens).to_have_count(2)
    expect(tokens.first).to_contain_text("Front counter")
    expect(tokens.first).to_contain_text("last used never")
    assert_accessible(desk)
    screenshot(desk, "account.png")

    desk.get_by_role("button", name="Revoke “Old laptop”").click()
    expect(desk.get_by_role("status")).to_contain_text("Token revoked")
    expect(tokens.nth(1)).to_contain_text("Revoked")
    expect(desk.get_by_role("button", name="Revoke “Old laptop”")).to_have_count(0)
    expect(desk.get_by_label("The new API token")).to_have_count(0)  # shown that once only

    _sign_in(phone, live_url, owner)
    _fits(phone)
    expect(phone.get_by_role("region", name="Sign out everywhere")).to_contain_text(
        "signed in on 1 other browser"
    )
    phone.get_by_label("Current password").fill("not my password")
    phone.get_by_label("New password").fill("a longer new password")
    phone.get_by_role("button", name="Change password").click()
    current = phone.get_by_label("Current password")
    expect(current).to_have_attribute("aria-invalid", "true")
    expect(current).to_have_accessible_description("⚠ That is not your current password.")
    assert_accessible(phone)
    current.fill(PASSWORD)
    phone.get_by_label("New password").fill("a longer new password")
    phone.get_by_role("button", name="Change password").click()
    expect(phone.get_by_role("status")).to_contain_text("Password changed")
    _fits(phone)

    desk.reload()  # the laptop's session ended with the change
    expect(desk.get_by_role("heading", level=1)).to_have_text("Sign in to BarberBot")
