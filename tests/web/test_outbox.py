"""/outbox through the test client: the user's own shops' kept messages only, each in full."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.core.settings import Settings
from barberbot.messaging.messages import Email, Sms
from barberbot.messaging.outbox import LocalOutbox
from barberbot.messaging.transport import local_outbox
from barberbot.models import Shop, User
from tests.factories import PASSWORD, make_shop, make_user

NOT_SENT = "Not sent: no mail server set up. Set BARBERBOT_SMTP_HOST to send for real."


def _sign_in(client: TestClient, email: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303


@pytest.fixture
def outbox(settings: Settings) -> LocalOutbox:
    return local_outbox(settings)


@pytest.fixture
def other(session: Session) -> Shop:
    return make_shop(session, slug="fade-house", name="Fade House")


def _ids(html: str) -> list[str]:
    return re.findall(r'href="/outbox/([^"/]+)"', html)


def test_signed_out_it_sends_to_sign_in(
    client: TestClient, outbox: LocalOutbox, shop: Shop
) -> None:
    entry = outbox.send_email(Email("al@x.example", "Hi", "Body", shop_id=shop.id))
    for path in ("/outbox", f"/outbox/{entry}", f"/outbox/{entry}/html"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/login?" + urlencode({"next": path})


def test_the_list_shows_only_the_users_own_shops_newest_first(
    client: TestClient, outbox: LocalOutbox, shop: Shop, other: Shop, owner: User
) -> None:
    older = outbox.send_email(
        Email("al@x.example", "Beard week, Al", "Hello Al\nsecond line", shop_id=shop.id)
    )
    theirs = outbox.send_email(Email("zed@y.example", "Fade House secret", "Zed", shop_id=other.id))
    newer = outbox.send_sms(Sms("+447700900101", "20% off today\nReply STOP", shop_id=shop.id))
    _sign_in(client, owner.email)

    page = client.get("/outbox")

    assert page.status_code == 200
    assert _ids(page.text) == [newer, older]
    assert theirs not in page.text
    assert "Fade House secret" not in page.text
    assert "zed@y.example" not in page.text
    assert NOT_SENT in page.text
    assert "20% off today" in page.text  # an SMS by its first line
    assert "Reply STOP" not in page.text
    assert "Beard week, Al" in page.text
    assert 'SMS to <span class="to">+447700900101</span>' in page.text
    assert 'href="/outbox" aria-current="page">Outbox</a>' in page.text


def test_a_member_of_both_shops_sees_both(
    client: TestClient, session: Session, outbox: LocalOutbox, shop: Shop, other: Shop
) -> None:
    both = make_user(session, email="both@x.example", shops=[shop, other])
    mine = outbox.send_email(Email("al@x.example", "Mine", "1", shop_id=shop.id))
    theirs = outbox.send_email(Email("zed@y.example", "Theirs", "2", shop_id=other.id))
    _sign_in(client, both.email)

    page = client.get("/outbox").text

    assert _ids(page) == [theirs, mine]
    assert "Fade House" in page
    assert "King&#39;s Cuts" in page


def test_another_shops_message_answers_404(
    client: TestClient, outbox: LocalOutbox, shop: Shop, other: Shop, owner: User
) -> None:
    theirs = outbox.send_email(
        Email("zed@y.example", "Secret", "Zed", shop_id=other.id, html="<p>Zed</p>")
    )
    _sign_in(client, owner.email)

    for path in (f"/outbox/{theirs}", f"/outbox/{theirs}/html", "/outbox/not-an-entry"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "Zed" not in answer.text


def test_a_message_in_full_text_escaped_and_html_only_sandboxed(
    client: TestClient, outbox: LocalOutbox, shop: Shop, owner: User
) -> None:
    entry = outbox.send_email(
        Email(
            "al@x.example",
            "Your <b>booking</b>",
            "Hello Al,\n<script>alert(1)</script>\nSee you Saturday.",
            reply_to="desk@kings.example",
            shop_id=shop.id,
            html="<p>Hello <b>Al</b></p><script>parent.document.title='pwned'</script>",
        )
    )
    _sign_in(client, owner.email)

    page = client.get(f"/outbox/{entry}")
    html = client.get(f"/outbox/{entry}/html")

    assert page.status_code == 200
    assert NOT_SENT in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)" not in page.text
    assert "Your &lt;b&gt;booking&lt;/b&gt;" in page.text
    assert "desk@kings.example" in page.text
    assert f'<iframe class="mail-html" sandbox src="/outbox/{entry}/html"' in page.text
    assert "parent.document" not in page.text  # the HTML part only inside the frame
    assert html.status_code == 200
    assert html.text.startswith("<p>Hello <b>Al</b></p>")
    policy = html.headers["content-security-policy"]
    assert policy.startswith("sandbox;")
    assert "default-src 'none'" in policy
    assert "script-src" not in policy  # nothing allows a script


def test_an_sms_in_full_says_why_it_was_not_sent(
    client: TestClient, outbox: LocalOutbox, shop: Shop, owner: User
) -> None:
    entry = outbox.send_sms(Sms("+447700900101", "20% off today\nReply STOP", shop_id=shop.id))
    _sign_in(client, owner.email)

    page = client.get(f"/outbox/{entry}").text

    assert "Not sent: no SMS provider set up." in page
    assert "20% off today\nReply STOP" in page
    assert client.get(f"/outbox/{entry}/html").status_code == 404


def test_an_empty_outbox_says_what_lands_there(client: TestClient, owner: User) -> None:
    _sign_in(client, owner.email)

    page = client.get("/outbox").text

    assert "Nothing here yet." in page
    assert NOT_SENT in page


def test_every_owner_page_links_to_the_outbox(client: TestClient, shop: Shop, owner: User) -> None:
    _sign_in(client, owner.email)

    page = client.get(f"/shops/{shop.slug}").text

    assert '<a href="/outbox">Outbox</a>' in page
