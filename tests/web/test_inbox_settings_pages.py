"""The inbox settings page through the test client: each member chooses how they hear of new
inquiries, owners turn the customer's acknowledgement on or off and set its hours (staff see
it, cannot change it), refusals beside the field (422) with nothing stored, the CSRF token,
and another shop's page answering 404."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.inbox import preferences
from barberbot.models import InboxSettings, Notify, Role, Shop, User
from tests.factories import make_shop, make_user
from tests.web.test_inbox_pages import sign_in

PAGE = "/shops/kings-cuts/inbox/settings"


def _post(client: TestClient, url: str, **data: str) -> Any:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(PAGE).text)
    assert match, "no CSRF field on the page"
    return client.post(url, data={**data, "csrf": match.group(1)}, follow_redirects=False)


def _marks(session: Session, shop: Shop) -> InboxSettings:
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    session.expire_all()
    return preferences.current(session, shop)


def _choice(session: Session, shop: Shop, user: User) -> Notify:
    session.rollback()
    session.expire_all()
    membership = preferences.membership_of(session, shop, user)
    assert membership is not None
    return preferences.choice_of(membership)


def test_an_owner_chooses_a_digest_and_turns_the_acknowledgement_off_then_on(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    sign_in(client, owner)
    first = client.get(PAGE)
    chose = _post(client, PAGE + "/notifications", notify="digest")
    after_choice = client.get(chose.headers["location"])
    off = _post(client, PAGE + "/acknowledgement", answer_within_hours="6")
    marks = _marks(session, shop)
    state_off = (marks.acknowledge, marks.answer_within_hours, marks.acknowledge_since)
    on = _post(client, PAGE + "/acknowledgement", acknowledge="on", answer_within_hours=" 2 ")
    marks = _marks(session, shop)
    state_on = (marks.acknowledge, marks.answer_within_hours, marks.acknowledge_since)

    assert first.status_code == 200
    assert 'id="notify-each" name="notify" value="each" checked' in first.text  # owners' default
    assert 'id="ack-on" checked' in first.text
    assert 'name="answer_within_hours" min="1" max="72" inputmode="numeric" value="4"' in first.text
    assert (chose.status_code, chose.headers["location"]) == (303, PAGE + "?done=notify")
    assert "Saved: this is how you hear of new inquiries." in after_choice.text
    assert 'value="digest" checked' in after_choice.text
    assert _choice(session, shop, owner) == Notify.DIGEST
    assert off.status_code == 303
    assert state_off[:2] == (False, 6)
    assert on.status_code == 303
    assert state_on[:2] == (True, 2)
    assert state_on[2] > state_off[2]  # none for the inquiries that came while it was off


def test_bad_hours_or_choice_are_refused_beside_the_field_and_nothing_changes(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    sign_in(client, owner)
    before = _marks(session, shop).answer_within_hours
    refused = {
        hours: _post(client, PAGE + "/acknowledgement", acknowledge="", answer_within_hours=hours)
        for hours in ["0", "73", "2.5", "", "9" * 40, "-1"]
    }
    bad_choice = _post(client, PAGE + "/notifications", notify="sms")
    no_token = client.post(PAGE + "/notifications", data={"notify": "none"})

    for hours, response in refused.items():
        assert response.status_code == 422, hours
        assert "Enter a whole number of hours from 1 to 72." in response.text
        assert 'aria-describedby="answer_within_hours-error" aria-invalid="true"' in response.text
    assert 'value="2.5"' in refused["2.5"].text  # what was typed is kept
    marks = _marks(session, shop)
    assert (marks.acknowledge, marks.answer_within_hours) == (True, before)
    assert bad_choice.status_code == 422
    assert "Choose one of the three ways to hear of new inquiries." in bad_choice.text
    assert no_token.status_code == 403
    assert _choice(session, shop, owner) == Notify.EACH


def test_staff_choose_their_own_see_the_acknowledgement_and_cannot_change_it(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    staff = make_user(session, email="sam@kings.example", shops=[shop], role=Role.STAFF)
    sign_in(client, staff)
    page = client.get(PAGE)
    chose = _post(client, PAGE + "/notifications", notify="none")
    changed = _post(client, PAGE + "/acknowledgement", answer_within_hours="9")

    assert 'id="notify-digest" name="notify" value="digest" checked' in page.text  # staff default
    assert 'id="ack-form"' not in page.text
    assert "The shop's owners choose this." in page.text
    assert "we usually answer within 4 hours" in page.text
    assert chose.status_code == 303
    assert _choice(session, shop, staff) == Notify.NONE
    assert _choice(session, shop, owner) == Notify.EACH  # the owner's own is untouched
    assert changed.status_code == 403
    assert _marks(session, shop).answer_within_hours == 4


def test_another_shops_settings_are_404_and_the_inbox_links_here(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    make_shop(session, slug="rivals", name="Rivals")
    sign_in(client, owner)

    assert client.get("/shops/rivals/inbox/settings").status_code == 404
    assert (
        _post(client, "/shops/rivals/inbox/settings/notifications", notify="none").status_code
        == 404
    )
    assert 'href="/shops/kings-cuts/inbox/settings"' in client.get("/shops/kings-cuts/inbox").text
