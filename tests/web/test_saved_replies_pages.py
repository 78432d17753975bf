"""The saved replies page through the test client: list, add, change and delete (after a
confirmation page), each refusal beside its field with what was typed (422), the CSRF token,
staff alike, another shop's saved reply answering 404, and the links from the inbox pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.inbox import saved_replies
from barberbot.models import Role, SavedReply, Shop, User
from tests.factories import make_inquiry, make_shop, make_user
from tests.web.test_inbox_pages import sign_in

PAGE = "/shops/kings-cuts/saved-replies"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def _post(client: TestClient, url: str, **data: str) -> Any:
    token = _csrf(client.get(PAGE).text)
    return client.post(url, data={**data, "csrf": token}, follow_redirects=False)


def _stored(session: Session, shop: Shop) -> list[tuple[str, str]]:
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    return [(r.name, r.body) for r in saved_replies.of(session, shop)]


@pytest.fixture
def signed_in(client: TestClient, owner: User) -> TestClient:
    sign_in(client, owner)
    return client


def test_a_saved_reply_is_added_listed_changed_and_deleted_after_asking(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    empty = signed_in.get(PAGE)
    added = _post(signed_in, PAGE, name=" Saturday ", body="Hi {{ first_name }}, Saturday 10:30?")
    listed = signed_in.get(added.headers["location"])
    [reply] = session.scalars(select(SavedReply)).all()
    edit = signed_in.get(f"{PAGE}/{reply.id}")
    changed = _post(signed_in, f"{PAGE}/{reply.id}", name="Saturday slot", body="Hi! 10:30?")
    after_change = signed_in.get(changed.headers["location"])
    confirm = signed_in.get(f"{PAGE}/{reply.id}/delete")
    kept = _stored(session, shop)
    deleted = _post(signed_in, f"{PAGE}/{reply.id}/delete")
    after_delete = signed_in.get(deleted.headers["location"])

    assert empty.status_code == 200
    assert "No saved replies yet." in empty.text
    for field, meaning in saved_replies.FIELD_HELP.items():  # the help line, from the service
        assert f"<code>{{{{ {field} }}}}</code> ({escape(meaning)})" in empty.text
    assert (added.status_code, added.headers["location"]) == (303, f"{PAGE}?done=added")
    assert "Saved reply added" in listed.text
    assert "<strong>Saturday</strong>" in listed.text
    assert "Hi {{ first_name }}, Saturday 10:30?</div>" in listed.text
    assert 'id="saved-name" name="name" value="Saturday"' in edit.text
    assert ">Hi {{ first_name }}, Saturday 10:30?</textarea>" in edit.text
    assert changed.status_code == 303
    assert "Changes saved." in after_change.text
    assert "<strong>Saturday slot</strong>" in after_change.text
    assert confirm.status_code == 200
    assert "<h1>Delete “Saturday slot”?</h1>" in confirm.text
    assert kept == [("Saturday slot", "Hi! 10:30?")]  # asking deleted nothing
    assert deleted.status_code == 303
    assert "Saved reply deleted." in after_delete.text
    assert "No saved replies yet." in after_delete.text
    assert _stored(session, shop) == []


LONG = "x" * (saved_replies.NAME_MAX + 1)
REFUSED = [
    # name, body, field, message
    ("Hello", "Hi {{ frist_name }}", "body", "Unknown field &#39;frist_name&#39;; you can use: "
     "first_name, name, shop_name, inquiry_type."),
    ("  ", "Hi there", "name", "Give the saved reply a name of 1 to 120 characters."),
    ("saturday", "Hi there", "name", "There is already a saved reply called &#39;saturday&#39;."),
    (LONG, "Hi there", "name", "Give the saved reply a name of 1 to 120 characters."),
    ("Hello", "x" * (saved_replies.BODY_MAX + 1), "body", "Keep the reply under 5,000 characters."),
    ("Hello", " ", "body", "Write the text of the reply."),
]  # fmt: skip


def test_a_refusal_is_named_beside_its_field_with_what_was_typed(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    """Adding and changing alike (one sign-in: the password hash is slow on purpose)."""
    taken = saved_replies.create(session, shop, "Saturday", "Saturday 10:30?")
    other = saved_replies.create(session, shop, "Thanks", "Thanks!")
    session.commit()

    for name, body, field, message in REFUSED:
        for url in (PAGE, f"{PAGE}/{other.id}"):
            response = _post(signed_in, url, name=name, body=body)
            assert response.status_code == 422, (name, url)
            assert f'<p class="error" id="saved-{field}-error">{message}</p>' in response.text
            assert f'aria-describedby="saved-{field}-error' in response.text
            assert f'id="saved-name" name="name" value="{escape(name)}"' in response.text
            assert f">{escape(body)}</textarea>" in response.text
    assert _stored(session, shop) == [("Saturday", taken.body), ("Thanks", "Thanks!")]


def test_staff_use_it_too_and_another_shops_saved_reply_is_404(
    client: TestClient, session: Session, shop: Shop
) -> None:
    rival = make_shop(session, slug="rival", name="Rival")
    theirs = saved_replies.create(session, rival, "Theirs", "Hi")
    session.commit()
    staff = make_user(session, email="sam@kings.example", shops=[shop], role=Role.STAFF)
    sign_in(client, staff)

    added = _post(client, PAGE, name="Mine", body="Hello {{ name }}")
    assert added.status_code == 303
    for url in (f"{PAGE}/{theirs.id}", f"{PAGE}/{theirs.id}/delete", f"{PAGE}/nope"):
        assert client.get(url).status_code == 404, url
        assert _post(client, url, name="Taken", body="Hi").status_code == 404, url
    assert client.get("/shops/rival/saved-replies").status_code == 404
    assert _stored(session, rival) == [("Theirs", "Hi")]
    assert _stored(session, shop) == [("Mine", "Hello {{ name }}")]


def test_forms_need_the_csrf_token(signed_in: TestClient, session: Session, shop: Shop) -> None:
    reply = saved_replies.create(session, shop, "Saturday", "Saturday 10:30?")
    session.commit()

    for url in (PAGE, f"{PAGE}/{reply.id}", f"{PAGE}/{reply.id}/delete"):
        response = signed_in.post(url, data={"name": "Other", "body": "Hi"})
        assert response.status_code == 403, url
    assert _stored(session, shop) == [("Saturday", "Saturday 10:30?")]


def test_the_inquiry_and_inbox_pages_link_to_it(
    signed_in: TestClient, session: Session, shop: Shop
) -> None:
    inquiry = make_inquiry(session, shop=shop)
    link = f'<a href="{PAGE}" id="manage-saved">'

    without = signed_in.get(f"/shops/{shop.slug}/inquiries/{inquiry.id}").text
    saved_replies.create(session, shop, "Saturday", "Saturday 10:30?")
    session.commit()
    with_some = signed_in.get(f"/shops/{shop.slug}/inquiries/{inquiry.id}").text
    inbox = signed_in.get(f"/shops/{shop.slug}/inbox").text
    everything = signed_in.get("/inbox").text

    assert f"{link}Manage saved replies</a>" in without
    assert f"{link}Manage saved replies</a>" in with_some
    assert ">Saturday</option>" in with_some
    assert f"{link}Saved replies</a>" in inbox
    assert f'<a href="{PAGE}">King&#39;s Cuts</a>' in everything
