"""/outbox in Chromium at phone and laptop width, with axe-core; and `make run`'s promise: a
campaign sent from the browser, with no mail server, shows there within seconds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from barberbot.core.settings import Settings
from barberbot.messaging.messages import Email, Sms
from barberbot.messaging.transport import local_outbox
from barberbot.models import Shop, User
from tests.browser import screenshot
from tests.campaigns.factories import make_campaign, make_person, make_segment
from tests.factories import PASSWORD, make_shop
from tests.streaming.helpers import wait_until
from tests.support.axe import assert_accessible

pytestmark = pytest.mark.browser
NOT_SENT = "Not sent: no mail server set up. Set BARBERBOT_SMTP_HOST to send for real."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """As `make run` has it: no mail server, and the sender running inside `serve`."""
    return settings.model_copy(
        update={"send_in_serve": True, "campaign_poll_seconds": 0.2, "campaign_send_rate": 0}
    )


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    yield context.new_page()
    context.close()


def _sign_in(page: Page, live_url: str, user: User) -> None:
    page.goto(f"{live_url}/login")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _fits(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling."""
    assert page.viewport_size is not None
    widest = page.evaluate("document.documentElement.scrollWidth")
    assert widest <= page.viewport_size["width"], f"{widest}px wide"


@pytest.mark.parametrize("width", ["phone", "desk"])
def test_the_outbox_and_a_message_at_phone_and_laptop_width_pass_axe(
    request: pytest.FixtureRequest,
    width: str,
    live_url: str,
    session: Session,
    settings: Settings,
    shop: Shop,
    owner: User,
) -> None:
    page: Page = request.getfixturevalue(width)
    outbox = local_outbox(settings)
    other = make_shop(session, slug="fade-house", name="Fade House")
    outbox.send_email(Email("zed@y.example", "Fade House only", "Not yours", shop_id=other.id))
    outbox.send_sms(Sms("+447700900101", "Al, 20% off beard trims today!\nReply STOP to opt out.",
                        shop_id=shop.id))  # fmt: skip
    outbox.send_email(
        Email(
            "kwame.mensah.with.a.long.address@example.co.uk",
            "Kwame, your beard misses us — 20% off this week at King's Cuts",
            "Hi Kwame,\n\n20% off with BEARD20: https://book.kings.example/s/kings-cuts/inquire"
            "?c=a-very-long-campaign-token-that-must-wrap-on-a-phone\n",
            shop_id=shop.id,
            html="<h1>Hi Kwame</h1><p>20% off</p>"
            "<script>parent.document.body.dataset.pwned = 'yes'</script>",
        )
    )
    _sign_in(page, live_url, owner)

    page.get_by_role("link", name="Outbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")
    expect(page.get_by_text(NOT_SENT)).to_be_visible()
    items = page.locator("ol.outbox > li")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Kwame, your beard misses us")  # newest first
    expect(items.first).to_contain_text("E-mail to kwame.mensah")
    expect(items.nth(1)).to_contain_text("SMS to +447700900101")
    expect(page.get_by_text("Fade House only")).to_have_count(0)
    _fits(page)
    assert_accessible(page)
    screenshot(page, f"outbox-{width}.png")

    items.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kwame, your beard misses us")
    expect(page.get_by_text(NOT_SENT)).to_be_visible()
    expect(page.locator("pre.mail-body")).to_contain_text("20% off with BEARD20")
    frame = page.frame_locator("iframe.mail-html")
    expect(frame.get_by_role("heading", name="Hi Kwame")).to_be_visible()
    assert page.evaluate("document.body.dataset.pwned") is None  # no script ran
    _fits(page)
    assert_accessible(page)
    screenshot(page, f"outbox-message-{width}.png")


def test_a_campaign_sent_from_the_browser_shows_in_the_outbox(
    desk: Page, live_url: str, session: Session, shop: Shop, owner: User
) -> None:
    make_person(session, shop=shop, name="Kwame Mensah", email="kwame@x.example")
    make_person(session, shop=shop, name="Liam Byrne", email="liam@x.example")
    segment = make_segment(session, shop=shop, rule={"field": "consent", "channel": "email"})
    campaign = make_campaign(session, shop=shop, segment=segment, subject="Hi {{ first_name }}")
    _sign_in(desk, live_url, owner)

    desk.goto(f"{live_url}/shops/{shop.slug}/campaigns/{campaign.id}")
    desk.get_by_role("button", name="Send to the segment").click()
    expect(desk.get_by_role("status")).to_contain_text("Scheduled")
    desk.get_by_role("link", name="Outbox", exact=True).click()

    def arrived() -> bool:  # no `barberbot campaigns run`: the sender inside `serve` sends
        desk.reload()
        return desk.locator("ol.outbox > li").count() == 2

    wait_until(arrived, 30, "the campaign in the outbox")
    items = desk.locator("ol.outbox > li")
    expect(items.filter(has_text="Hi Kwame")).to_contain_text("E-mail to kwame@x.example")
    expect(items.filter(has_text="Hi Liam")).to_contain_text("E-mail to liam@x.example")
