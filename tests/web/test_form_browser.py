"""A customer fills the public form in a real browser."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop
from barberbot.web.owner import embed_snippet
from tests.browser import screenshot
from tests.support.ports import free_port

pytestmark = pytest.mark.browser


def _stored(session: Session) -> list[Inquiry]:
    session.expire_all()
    return list(session.scalars(select(Inquiry)))


def _fill(page: Page, *, name: str, age: str, phone: str, email: str, message: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Age", exact=True).fill(age)
    page.get_by_label("Gender").select_option("female")
    page.get_by_label("What is it about?").select_option(label="Hair colouring")
    page.get_by_label("Phone", exact=True).fill(phone)
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Message").fill(message)


def test_a_customer_sends_an_inquiry_and_it_is_stored(
    page: Page, live_url: str, shop: Shop, session: Session
) -> None:
    page.goto(f"{live_url}/s/{shop.slug}/inquire")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask King's Cuts")
    _fill(
        page,
        name="Zoë Núñez",
        age="29",
        phone="+44 7700 900456",
        email="zoe@example.com",
        message="Balayage next Friday? 💇",
    )
    page.get_by_label("may send me offers").check()
    screenshot(page, "web-form.png")

    page.get_by_role("button", name="Send inquiry").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    screenshot(page, "web-form-thanks.png")
    [stored] = _stored(session)
    assert (stored.customer_name, stored.age, stored.gender) == ("Zoë Núñez", 29, "female")
    assert stored.inquiry_type == "hair_colouring"
    assert stored.phone == "+447700900456"
    assert stored.message == "Balayage next Friday? 💇"
    assert stored.source == "web_form"
    assert stored.marketing_consent is True
    assert stored.consent_text == shop.effective_consent_text()


def test_mistakes_are_shown_beside_the_fields_and_the_rest_is_kept(
    page: Page, live_url: str, shop: Shop, session: Session
) -> None:
    page.goto(f"{live_url}/s/{shop.slug}/inquire")
    _fill(page, name="Ana Lima", age="abc", phone="", email="ana-at-example", message="Keep me")

    page.get_by_role("button", name="Send inquiry").click()

    expect(page.locator("#age-error")).to_have_text("Age must be a whole number, like 34.")
    expect(page.locator("#email-error")).to_contain_text("name@example.com")
    expect(page.get_by_label("Age", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_contain_text("Please check 2 fields")
    expect(page.get_by_label("Your name")).to_have_value("Ana Lima")
    expect(page.get_by_label("Message")).to_have_value("Keep me")
    expect(page.get_by_label("What is it about?")).to_have_value("hair_colouring")
    screenshot(page, "web-form-errors.png")
    assert _stored(session) == []


def test_the_form_works_without_javascript(
    browser: Browser, live_url: str, shop: Shop, session: Session
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_url}/s/{shop.slug}/inquire")
    _fill(page, name="No Script", age="40", phone="07700 900789", email="", message="")

    page.get_by_role("button", name="Send inquiry").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    context.close()
    assert [i.customer_name for i in _stored(session)] == ["No Script"]


def test_the_keyboard_reaches_every_field_in_order(page: Page, live_url: str, shop: Shop) -> None:
    page.goto(f"{live_url}/s/{shop.slug}/inquire")
    page.get_by_label("Your name").focus()
    order = []
    for _ in range(8):
        order.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        page.keyboard.press("Tab")

    assert order == [
        "customer_name", "age", "gender", "inquiry_type", "phone", "email", "message",
        "marketing_consent",
    ]  # fmt: skip


def test_a_bot_filling_the_honeypot_is_thanked_and_ignored(
    page: Page, live_url: str, shop: Shop, session: Session
) -> None:
    page.goto(f"{live_url}/s/{shop.slug}/inquire")
    _fill(page, name="Spam Bot", age="30", phone="+1 555 0100 200", email="", message="buy")
    page.locator("#website").fill("http://spam.example", force=True)

    page.get_by_role("button", name="Send inquiry").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you!")
    assert _stored(session) == []


@pytest.fixture
def host_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The shop's own website, on another origin, serving files from a folder."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", tmp_path
    server.shutdown()


def test_the_embed_snippet_shows_the_form_and_fits_it(
    page: Page, live_url: str, shop: Shop, host_site: tuple[str, Path]
) -> None:
    site_url, site_root = host_site
    snippet = embed_snippet(live_url.replace("127.0.0.1", "localhost"), shop)
    (site_root / "index.html").write_text(
        f"<!doctype html><title>King's Cuts</title><h1>Welcome</h1>{snippet}", encoding="utf-8"
    )

    page.goto(f"{site_url}/index.html")

    frame = page.frame_locator("iframe[data-barberbot]")
    expect(frame.get_by_role("heading", level=1)).to_have_text("Ask King's Cuts")
    iframe = page.locator("iframe[data-barberbot]")
    expect(iframe).to_have_attribute("style", re.compile(r"height: \d+px"))  # was 62rem
    content_height = frame.locator("html").evaluate("el => el.scrollHeight")
    box = iframe.bounding_box()
    assert box is not None
    assert abs(box["height"] - content_height) <= 2
