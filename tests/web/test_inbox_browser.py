"""The inbox in Chromium: a customer asks through the public form, the owner's open inbox
shows it without a reload, the owner answers it with a saved reply and gives it to a staff
member, who finds it under "mine" on a phone; the inbox's sender (run here in-process) sends the
reply to a real SMTP server once, and the timeline says it went. An owner writes a saved reply
on a phone, a mistyped field refused beside the text, and finds it in the inquiry's picker. The
pages pass axe-core at laptop and phone width, and their screenshots go to build/screenshots/
(the README's, after `make screenshots`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.inbox import notes, saved_replies, transitions
from barberbot.models import Inquiry, InquiryReply, Role, Shop, User
from tests.browser import screenshot
from tests.factories import PASSWORD, make_inquiry, make_user
from tests.inbox.sending import run, smtp_settings
from tests.support.axe import assert_accessible
from tests.support.smtp import SmtpServer

pytestmark = pytest.mark.browser

EARLIER = [
    # name, kind, phone, e-mail, message, hours ago, status
    ("Kwame Mensah", "beard_trim", "+44 7700 900101", None,
     "Beard trim and line-up before a wedding on the 14th?", 30, "waiting"),
    ("Liam O'Connor", "kids_cut", "+44 7700 900202", "liam@example.com",
     "Do you cut curly hair for a 6-year-old? He hates clippers.", 52, "new"),
    ("Alex Kim", "styling", None, "alex.kim@example.com",
     "Price for a restyle, medium length, and do you take cards?", 3, "open"),
]  # fmt: skip


SATURDAY = (
    "Thanks {{ first_name }}! We have Saturday 10:30 free for a skin fade — shall I book you in?"
)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer) -> Settings:
    """The app's settings, its mail going to the real SMTP server above."""
    return smtp_settings(settings, smtp)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """An iPhone-sized page."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    yield context.new_page()
    context.close()


def _sign_in(page: Page, live_url: str, user: User, then: str) -> None:
    page.goto(f"{live_url}/login?next={then}")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_url}{then}")


def _fits(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling."""
    assert page.viewport_size is not None
    widest = page.evaluate("document.documentElement.scrollWidth")
    assert widest <= page.viewport_size["width"], f"{widest}px wide"


def _earlier(session: Session, shop: Shop, owner: User) -> None:
    now = datetime.now(UTC)
    for name, kind, number, email, message, hours, status in EARLIER:
        inquiry = make_inquiry(session, shop=shop, customer_name=name, inquiry_type=kind,
                               phone=number, email=email, message=message,
                               received_at=now - timedelta(hours=hours))  # fmt: skip
        if status != "new":
            transitions.change(session, shop, inquiry, owner, status=status, assignee=owner.id)
    session.commit()


def test_a_new_inquiry_is_seen_answered_with_a_saved_reply_and_assigned(
    browser: Browser,
    desk: Page,
    phone: Page,
    live_url: str,
    session: Session,
    database: Database,
    settings: Settings,
    smtp: SmtpServer,
    shop: Shop,
    owner: User,
) -> None:
    staff = make_user(session, email="sam@kings.example", shops=[shop], role=Role.STAFF)
    saved_replies.create(session, shop, "Saturday slot", SATURDAY)
    _earlier(session, shop, owner)
    inbox = f"/shops/{shop.slug}/inbox"

    desk.clock.install()  # the page polls every 15 s: the test moves its clock on instead
    _sign_in(desk, live_url, owner, inbox)
    expect(desk.locator("#nav-unread")).to_have_text("1 new")
    expect(desk.locator("#nav-overdue")).to_have_text("1 overdue")  # Liam, 52 hours ago
    expect(desk.locator("ul.inbox > li")).to_have_count(3)

    customer = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    customer.goto(f"{live_url}/s/{shop.slug}/inquire")
    customer.get_by_label("Your name").fill("Jamal Brooks")
    customer.get_by_label("Age", exact=True).fill("34")
    customer.get_by_label("Gender").select_option("male")
    customer.get_by_label("What is it about?").select_option(label="Haircut")
    customer.get_by_label("Phone", exact=True).fill("07700 900123")
    customer.get_by_label("E-mail", exact=True).fill("jamal@example.com")
    customer.get_by_label("Message").fill("Can I book a skin fade Saturday?")
    customer.get_by_role("button", name="Send inquiry").click()
    expect(customer.get_by_role("heading", level=1)).to_have_text("Thank you!")
    customer.context.close()

    desk.clock.run_for(16_000)
    show = desk.get_by_role("link", name="1 new inquiry — show them")
    expect(show).to_be_visible()
    expect(desk.locator("#nav-unread")).to_have_text("2 new")
    show.click()
    expect(desk.locator("ul.inbox > li")).to_have_count(4)
    jamal = desk.locator("ul.inbox > li").first
    expect(jamal).to_contain_text("Jamal Brooks")
    expect(jamal.get_by_role("link", name="07700 900123")).to_have_attribute(
        "href", "tel:+447700900123"
    )
    expect(jamal.get_by_role("link", name="jamal@example.com")).to_have_attribute(
        "href", "mailto:jamal@example.com"
    )
    assert_accessible(desk)
    screenshot(desk, "inbox.png")

    jamal.get_by_role("link", name="Jamal Brooks").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Jamal Brooks")
    desk.get_by_label("Start from a saved reply").select_option(label="Saturday slot")
    desk.get_by_role("button", name="Use this reply").click()
    expect(desk.get_by_label("Your reply")).to_have_value(
        "Thanks Jamal! We have Saturday 10:30 free for a skin fade — shall I book you in?"
    )
    desk.get_by_label("Subject").fill("Saturday at King's Cuts")
    desk.get_by_role("button", name="Send reply").click()
    expect(desk.get_by_role("status")).to_contain_text("Reply queued")
    reply = desk.locator("ol.timeline > li.event-reply")
    expect(reply).to_contain_text("Queued — waiting to be sent")
    expect(reply).to_contain_text("Thanks Jamal! We have Saturday 10:30 free")
    expect(desk.locator("#inquiry-status")).to_have_text("Waiting on customer")

    desk.get_by_label("Assigned to").select_option(label="sam@kings.example")
    desk.get_by_role("button", name="Assign").click()
    expect(desk.locator("ol.timeline > li.event-assigned")).to_contain_text(
        "gave it to sam@kings.example"
    )
    desk.get_by_role("textbox", name="Note").fill(
        "Regular — prefers Sam. Check he is in on Saturday."
    )
    desk.get_by_role("button", name="Add note").click()
    expect(desk.locator("ol.timeline > li.event-note")).to_contain_text("prefers Sam")
    assert_accessible(desk)
    screenshot(desk, "inquiry.png")

    session.expire_all()
    jamal_row = session.scalars(
        select(Inquiry).where(Inquiry.customer_name == "Jamal Brooks")
    ).one()
    assert (jamal_row.status, jamal_row.assignee_id) == ("waiting", staff.id)
    [queued] = session.scalars(select(InquiryReply)).all()
    assert (queued.status, queued.subject) == ("queued", "Saturday at King's Cuts")
    assert len(notes.of(session, jamal_row)) == 1

    run(database, settings)  # the inbox's sender, as `serve`'s thread runs it
    run(database, settings)  # and again: nothing goes twice
    sent = [
        m for m in smtp.to("jamal@example.com") if m.message["Subject"] == "Saturday at King's Cuts"
    ]
    assert len(sent) == 1
    assert sent[0].body.startswith("Thanks Jamal! We have Saturday 10:30 free")
    desk.reload()
    expect(desk.locator("ol.timeline > li.event-reply .status")).to_have_text("Sent")
    desk.get_by_role("link", name="Manage saved replies").click()
    expect(desk.locator("#saved-replies > li")).to_contain_text("Saturday slot")
    assert_accessible(desk)
    screenshot(desk, "saved-replies.png")

    _sign_in(phone, live_url, staff, inbox)
    phone.get_by_label("Assigned to").select_option("me")
    phone.get_by_role("button", name="Show").click()
    expect(phone.locator("ul.inbox > li")).to_have_count(1)
    expect(phone.locator("ul.inbox > li")).to_contain_text("Jamal Brooks")
    assert "assignee=me" in phone.url
    _fits(phone)
    assert_accessible(phone)
    screenshot(phone, "inbox-phone.png")
    phone.get_by_role("link", name="Jamal Brooks").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Jamal Brooks")
    _fits(phone)
    assert_accessible(phone)


def test_a_saved_reply_written_on_a_phone_is_offered_on_the_inquiry(
    phone: Page, live_url: str, session: Session, shop: Shop, owner: User
) -> None:
    inquiry = make_inquiry(session, shop=shop, customer_name="Jamal Brooks", inquiry_type="haircut")
    page = f"/shops/{shop.slug}/inquiries/{inquiry.id}"
    _sign_in(phone, live_url, owner, page)
    phone.get_by_role("link", name="Manage saved replies").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Saved replies")
    assert "{{ first_name }}" in phone.locator("#saved-fields").inner_text()

    phone.get_by_label("Name").fill("Welcome")
    text = phone.get_by_role("textbox", name="Text")
    text.fill("Hi {{ frist_name }}, thanks for asking about a {{ inquiry_type | lower }}.")
    phone.get_by_role("button", name="Save reply").click()
    expect(phone.locator("#saved-body-error")).to_contain_text("Unknown field 'frist_name'")
    expect(text).to_have_value(
        "Hi {{ frist_name }}, thanks for asking about a {{ inquiry_type | lower }}."
    )
    expect(phone.get_by_label("Name")).to_have_value("Welcome")
    _fits(phone)
    assert_accessible(phone)

    text.fill("Hi {{ first_name }}, thanks for asking about a {{ inquiry_type | lower }}.")
    phone.get_by_role("button", name="Save reply").click()
    expect(phone.get_by_role("status")).to_contain_text("Saved reply added")
    expect(phone.locator("#saved-replies > li")).to_have_count(1)
    expect(phone.locator("#saved-replies > li")).to_contain_text("Welcome")
    _fits(phone)
    assert_accessible(phone)
    screenshot(phone, "saved-replies-phone.png")

    phone.goto(live_url + page)
    phone.get_by_label("Start from a saved reply").select_option(label="Welcome")
    phone.get_by_role("button", name="Use this reply").click()
    expect(phone.get_by_label("Your reply")).to_have_value(
        "Hi Jamal, thanks for asking about a haircut."
    )


@pytest.mark.parametrize("width", ["phone", "desk"])
def test_the_inbox_settings_are_found_from_the_inbox_and_saved_on_any_screen(
    width: str,
    request: pytest.FixtureRequest,
    live_url: str,
    session: Session,
    shop: Shop,
    owner: User,
) -> None:
    page: Page = request.getfixturevalue(width)
    _sign_in(page, live_url, owner, f"/shops/{shop.slug}/inbox")
    page.get_by_role("link", name="Inbox settings").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Inbox settings")
    _fits(page)
    assert_accessible(page)

    page.get_by_label("One e-mail an hour listing the new ones").check()
    page.get_by_role("button", name="Save my choice").click()
    expect(page.get_by_role("status")).to_contain_text("how you hear of new inquiries")
    expect(page.get_by_label("One e-mail an hour listing the new ones")).to_be_checked()

    page.get_by_label("We usually answer within (hours)").fill("0")
    page.get_by_role("button", name="Save acknowledgement").click()
    expect(page.locator("#answer_within_hours-error")).to_contain_text("from 1 to 72")
    _fits(page)
    assert_accessible(page)
    page.get_by_label("We usually answer within (hours)").fill("2")
    page.get_by_label("Send the acknowledgement").uncheck()
    page.get_by_role("button", name="Save acknowledgement").click()
    expect(page.get_by_role("status")).to_contain_text("Acknowledgement saved.")
    expect(page.get_by_label("Send the acknowledgement")).not_to_be_checked()
    expect(page.get_by_label("We usually answer within (hours)")).to_have_value("2")
    screenshot(page, f"inbox-settings-{width}.png")
