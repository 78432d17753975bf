"""A view's choice filters: only the shown shop's current choice questions and their options."""

from __future__ import annotations

from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.core.db import Database
from barberbot.dashboard.callbacks import MONGODB_NOTE, _refresh
from barberbot.dashboard.state import ViewState
from barberbot.dashboard.views import resolve
from barberbot.models import Role, Shop, User
from tests.factories import make_form, make_shop


def test_only_the_forms_choice_questions_and_options_filter(
    session: Session, shop: Shop, owner: User
) -> None:
    make_form(session, shop=shop)
    state = ViewState(
        shop=shop.slug,
        answers={
            "hair_type": ["Curly", "Bald"],  # Bald is not offered
            "barber": ["Sam"],  # a short-text question
            "shoe_size": ["44"],  # not asked
        },
    )

    view = resolve(session, owner.id, state)

    assert [q.key for q in view.choices] == ["hair_type", "heard_from"]
    assert view.selection.answers == (("hair_type", ("Curly",)),)
    assert resolve(session, owner.id, state, answers_in_sql=False).selection.answers == ()


def test_several_shops_have_no_one_form(session: Session, shop: Shop, owner: User) -> None:
    make_form(session, shop=shop)
    other = make_shop(session, slug="other", name="Other")
    auth.grant(session, owner, other, Role.OWNER)
    session.commit()

    view = resolve(session, owner.id, ViewState(answers={"hair_type": ["Curly"]}))

    assert view.choices == ()
    assert view.selection.answers == ()


def test_with_mongodb_the_section_says_why_it_has_no_figures(
    database: Database, session: Session, shop: Shop, owner: User
) -> None:
    make_form(session, shop=shop)
    state = ViewState(shop=shop.slug)

    *_, tables, note, style = _refresh(database, owner.id, state, None, in_sql=False)
    assert (tables, note, style) == ([], MONGODB_NOTE, {"display": "block"})

    *_, tables, note, style = _refresh(database, owner.id, state, None, in_sql=True)
    assert [table.id for table in tables] == ["answer-chart-hair_type", "answer-chart-heard_from"]
    assert (note, style) == ("", {"display": "block"})
