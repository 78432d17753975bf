"""The import page in Chromium: an owner uploads another system's Excel file on a phone and
reads how it would import; at a laptop, they map one unknown inquiry type to theirs, add the
others, import and see the outcome once the server's thread is done. Every step passes axe-core
and fits the screen; screenshots import-phone.png and import.png go to build/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop, User
from tests.browser import screenshot
from tests.imports.sheets import ROWS, write_xlsx
from tests.support.axe import assert_accessible
from tests.web.test_inbox_browser import _fits, _sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    yield context.new_page()
    context.close()


def _upload(page: Page, live_url: str, owner: User, workbook: Path) -> None:
    _sign_in(page, live_url, owner, "/shops/kings-cuts")
    page.get_by_role("link", name="Import a spreadsheet").click()
    assert_accessible(page)
    page.get_by_label("Excel or CSV file").set_input_files(workbook)
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_text(f"{len(ROWS)} inquiries ready to import.")).to_be_visible()


def test_an_owner_reviews_and_imports_a_file_on_a_phone_and_a_laptop(
    phone: Page,
    desk: Page,
    live_url: str,
    session: Session,
    shop: Shop,
    owner: User,
    tmp_path: Path,
) -> None:
    workbook = write_xlsx(tmp_path / "Export from Salonbook.xlsx")

    _upload(phone, live_url, owner, workbook)
    expect(phone.get_by_text("No date column: every inquiry is dated")).to_be_visible()
    _fits(phone)
    assert_accessible(phone)
    screenshot(phone, "import-phone.png")

    _upload(desk, live_url, owner, workbook)
    desk.get_by_label("“Beard Trim Inquiry” (2 rows)").select_option(label="Same as: Beard trim")
    _fits(desk)
    assert_accessible(desk)
    screenshot(desk, "import.png")
    desk.get_by_role("button", name=f"Import {len(ROWS)} inquiries").click()
    expect(desk.locator("#import-result")).to_have_text(
        f"{len(ROWS)} new inquiries imported from Export from Salonbook.xlsx."
    )
    assert_accessible(desk)

    session.rollback()  # a fresh snapshot
    assert session.scalar(select(func.count()).select_from(Inquiry)) == len(ROWS)
    kinds = session.scalars(select(Inquiry.inquiry_type).where(Inquiry.customer_name == "Ana Lima"))
    assert list(kinds) == ["beard_trim"]
