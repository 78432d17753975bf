"""In Chromium: the owner adds questions (watching the live preview), a customer answers them,
and the answers are in the store's document."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from barberbot.models import Shop, User
from tests.browser import screenshot
from tests.factories import PASSWORD, make_form
from tests.forms.conftest import raw_documents

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


def _add_question(page: Page, label: str, kind: str, options: str = "") -> None:
    row = page.locator("fieldset.editor-row").last
    row.get_by_label("Question", exact=True).fill(label)
    row.get_by_label("Type").select_option(label=kind)
    if options:
        row.get_by_label("Options").fill(options)
    page.get_by_role("button", name="Save form").click()
    expect(page.get_by_role("status").filter(has_text="is live")).to_be_visible()


def test_owner_edits_the_form_and_a_customer_answers_it(
    desk: Page,
    page: Page,
    live_url: str,
    app: FastAPI,
    session: Session,
    shop: Shop,
    owner: User,
    answer_backend: str,
) -> None:
    make_form(
        session, shop=shop, fields=[{"key": "barber", "label": "Barber", "type": "short_text"}]
    )
    desk.goto(f"{live_url}/login")
    desk.get_by_label("E-mail").fill(owner.email)
    desk.get_by_label("Password").fill(PASSWORD)
    desk.get_by_role("button", name="Sign in").click()
    desk.get_by_role("link", name="Edit your questions").click()

    _add_question(desk, "Hair type", "Single choice", "Straight\nWavy\nCurly")
    _add_question(desk, "How did you hear about us?", "Multiple choice", "Friend\nInstagram")
    desk.locator("fieldset.editor-row").nth(1).get_by_label("Required").check()
    desk.locator("fieldset.editor-row").nth(1).get_by_role("button", name="Move up").click()
    expect(desk.get_by_role("status")).to_have_text("Saved: version 4 is live.")
    desk.locator("fieldset.editor-row").nth(1).get_by_role("button", name="Retire").click()
    expect(desk.get_by_role("heading", name="Retired questions")).to_be_visible()
    new = desk.locator("fieldset.editor-row").last
    new.get_by_label("Question", exact=True).fill("Preferred day")
    new.get_by_label("Help text").fill("We will try to fit you in.")
    new.get_by_label("Type").select_option(label="Date")
    preview = desk.locator("#form-preview")
    expect(preview.get_by_label("Preferred day (optional)")).to_be_visible()  # live, not saved
    desk.get_by_role("button", name="Save form").click()
    expect(desk.get_by_role("status")).to_have_text("Saved: version 6 is live.")
    if answer_backend == "sql":
        screenshot(desk, "form-editor.png")

    page.goto(f"{live_url}/s/{shop.slug}/inquire")
    page.get_by_label("Your name").fill("Zoë Núñez")
    page.get_by_label("Age", exact=True).fill("29")
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("What is it about?").select_option(label="Hair colouring")
    page.get_by_label("Phone", exact=True).fill("+44 7700 900456")
    page.get_by_label("Instagram").check()
    page.get_by_role("button", name="Send inquiry").click()
    expect(page.locator("#answers\\.hair_type-error")).to_have_text("Please answer this question.")
    expect(page.get_by_label("Instagram")).to_be_checked()  # kept
    page.get_by_role("group", name="Hair type").get_by_label("Curly").check()
    page.get_by_label("Preferred day").fill("2026-12-05")
    page.get_by_role("button", name="Send inquiry").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    [document] = raw_documents(app)
    assert document["form_version"] == 6
    assert document["answers"] == {
        "hair_type": "Curly",
        "how_did_you_hear_about_us": ["Instagram"],
        "preferred_day": "2026-12-05",
    }
