"""The public form's custom questions and the owner's editor, by plain form posts."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from barberbot.forms import service as forms
from barberbot.models import Role, Shop, User
from tests.factories import PASSWORD, inquiry_payload, make_form, make_user
from tests.forms.conftest import raw_documents


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def _sign_in(client: TestClient, email: str) -> None:
    token = _csrf(client.get("/login").text)
    client.post("/login", data={"email": email, "password": PASSWORD, "csrf": token})


def _form_post(**answers: str | list[str]) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = inquiry_payload(age="34", marketing_consent="")
    return data | {f"answers.{key}": value for key, value in answers.items()}


def test_the_public_form_asks_the_shops_questions(
    client: TestClient, session: Session, shop: Shop
) -> None:
    make_form(session, shop=shop)

    page = client.get(f"/s/{shop.slug}/inquire").text

    barber = '<label for="answers.barber">Which barber do you prefer? <span class="hint">'
    assert barber + "(optional)</span></label>" in page
    assert "<legend>Hair type</legend>" in page
    assert 'id="answers.hair_type-help">So we can book the right barber.</p>' in page
    assert (
        'type="checkbox" id="answers.heard_from-2" name="answers.heard_from" value="Instagram"'
        in page
    )
    assert 'name="answers.preferred_day" type="date"' in page


def test_a_customer_answers_by_plain_form_post(
    client: TestClient, app: FastAPI, session: Session, shop: Shop
) -> None:
    make_form(session, shop=shop)

    response = client.post(
        f"/s/{shop.slug}/inquire",
        data=_form_post(
            hair_type="Curly", heard_from=["Friend", "Walked past"], first_visit="yes", visits="3"
        ),
        follow_redirects=False,
    )

    assert response.status_code == 303, response.text
    [document] = raw_documents(app)
    assert document["answers"] == {
        "hair_type": "Curly",
        "heard_from": ["Friend", "Walked past"],
        "first_visit": True,
        "visits": 3,
    }
    assert document["form_version"] == 1


def test_mistakes_show_beside_the_question_and_the_answers_are_kept(
    client: TestClient, app: FastAPI, session: Session, shop: Shop
) -> None:
    make_form(session, shop=shop)

    response = client.post(
        f"/s/{shop.slug}/inquire",
        data=_form_post(visits="lots", barber="Sam", heard_from=["Friend"], notes="x" * 2001),
    )

    assert response.status_code == 422
    page = response.text
    assert (
        '<p class="error" id="answers.visits-error">Answer with a number, like 3 or 2.5.</p>'
        in page
    )
    assert '<p class="error" id="answers.hair_type-error">Please answer this question.</p>' in page
    assert 'id="answers.notes-error">Please keep this under 2000 characters.' in page
    assert 'aria-describedby="answers.visits-error" aria-invalid="true"' in page
    assert 'value="Sam"' in page
    assert 'value="lots"' in page
    assert re.search(r'value="Friend"\s+checked', page)
    assert raw_documents(app) == []


def test_the_owner_adds_reorders_retires_and_restores_questions(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    _sign_in(client, owner.email)
    editor = client.get(f"/shops/{shop.slug}/form")
    assert editor.status_code == 200
    new_row = {
        "csrf": _csrf(editor.text),
        "rows-0-is_new": "1",
        "rows-0-key": "",
        "rows-0-label": "Hair type",
        "rows-0-help_text": "",
        "rows-0-type": "single_choice",
        "rows-0-options": "Straight\nCurly\n",
        "action": "save",
    }

    added = client.post(f"/shops/{shop.slug}/form", data=new_row, follow_redirects=False)
    assert added.status_code == 303
    assert added.headers["location"].endswith("?saved=1")
    page = client.get(added.headers["location"]).text
    assert "Saved: version 1 is live." in page
    second = {k.replace("rows-0", "rows-1"): v for k, v in new_row.items() if k.startswith("rows-")}
    second |= {"rows-1-label": "Preferred day", "rows-1-type": "date", "rows-1-options": ""}
    both = {
        "csrf": _csrf(page),
        "rows-0-key": "hair_type",
        "rows-0-label": "Hair type",
        "rows-0-type": "single_choice",
        "rows-0-options": "Straight\nCurly",
        "rows-0-required": "on",
        **second,
        "action": "save",
    }
    client.post(f"/shops/{shop.slug}/form", data=both)
    client.post(
        f"/shops/{shop.slug}/form", data=both | {"rows-1-key": "preferred_day", "action": "up:1"}
    )
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    form = forms.current(session, shop)
    assert [f.key for f in form.fields] == ["preferred_day", "hair_type"]
    assert form.version == 3
    assert form.fields[1].required

    client.post(
        f"/shops/{shop.slug}/form",
        data=both | {"rows-1-key": "preferred_day", "action": "retire:1"},
    )
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    retired = forms.current(session, shop)
    assert [(f.key, f.retired) for f in retired.fields] == [
        ("hair_type", False),
        ("preferred_day", True),
    ]
    assert "Ask again" in client.get(f"/shops/{shop.slug}/form").text

    restore = {k: v for k, v in both.items() if not k.startswith("rows-1")} | {
        "action": "restore:preferred_day"
    }
    client.post(f"/shops/{shop.slug}/form", data=restore)
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    assert [(f.key, f.retired) for f in forms.current(session, shop).fields] == [
        ("hair_type", False),
        ("preferred_day", False),
    ]


def test_the_editor_shows_mistakes_beside_the_question(
    client: TestClient, session: Session, shop: Shop, owner: User
) -> None:
    _sign_in(client, owner.email)
    token = _csrf(client.get(f"/shops/{shop.slug}/form").text)

    response = client.post(
        f"/shops/{shop.slug}/form",
        data={
            "csrf": token,
            "rows-0-is_new": "1",
            "rows-0-label": "Pick one",
            "rows-0-type": "single_choice",
            "rows-0-options": "",
            "action": "save",
        },
    )

    assert response.status_code == 422
    assert "A choice question needs at least one option." in response.text
    assert 'value="Pick one"' in response.text
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    assert forms.current(session, shop).version == 0


def test_staff_cannot_edit_the_form(client: TestClient, session: Session, shop: Shop) -> None:
    staff = make_user(session, email="staff@kings.example", shops=[shop], role=Role.STAFF)
    _sign_in(client, staff.email)

    assert client.get(f"/shops/{shop.slug}/form").status_code == 403
