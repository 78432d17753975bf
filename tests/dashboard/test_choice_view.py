"""A view's choice filters: only the shown shop's current choice questions and their options."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dash import html
from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.core.db import Database
from barberbot.dashboard.callbacks import REFRESHED, _refresh
from barberbot.dashboard.state import ViewState
from barberbot.dashboard.views import resolve
from barberbot.forms.store import AnswerDocument, AnswerStore
from barberbot.models import Role, Shop, User
from tests.factories import make_form, make_inquiry, make_shop


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


def test_several_shops_have_no_one_form(session: Session, shop: Shop, owner: User) -> None:
    make_form(session, shop=shop)
    other = make_shop(session, slug="other", name="Other")
    auth.grant(session, owner, other, Role.OWNER)
    session.commit()

    view = resolve(session, owner.id, ViewState(answers={"hair_type": ["Curly"]}))

    assert view.choices == ()
    assert view.selection.answers == ()


def test_the_section_counts_and_filters_with_either_answer_store(
    database: Database, session: Session, shop: Shop, owner: User, answer_store: AnswerStore
) -> None:
    form = make_form(session, shop=shop)
    now = datetime.now(UTC)
    documents = []
    for age, hair in ((31, "Curly"), (45, "Straight"), (8, "Curly"), (50, None)):
        inquiry = make_inquiry(session, shop=shop, received_at=now - timedelta(days=1), age=age)
        if hair is not None:
            answers = {"hair_type": hair}
            documents.append(AnswerDocument(inquiry.id, shop.id, form.version, now, answers))
    answer_store.save(session, documents)
    session.commit()

    everyone = _refresh(database, owner.id, ViewState(shop=shop.slug), None, answer_store)
    tables = everyone["answer_charts"]
    assert everyone.keys() == REFRESHED.keys()  # what Dash checks before drawing the answer
    assert [table.id for table in tables] == ["answer-chart-hair_type", "answer-chart-heard_from"]
    assert (everyone["answers_note"], everyone["answers_section"]) == ("", {"display": "block"})
    assert _row_totals(tables[0]) == {"Straight": 1, "Wavy": 0, "Curly": 2}
    assert everyone["inquiries"] == "4"

    curly = ViewState(shop=shop.slug, answers={"hair_type": ["Curly"]})
    filtered = _refresh(database, owner.id, curly, None, answer_store)
    assert filtered["inquiries"] == "2"
    assert _row_totals(filtered["answer_charts"][0]) == {"Straight": 0, "Wavy": 0, "Curly": 2}


def _row_totals(table: html.Div) -> dict[str, int]:
    """{option: the row's "All" cell} of a choice question's heat-map table."""
    body = table.children[1].children[1]
    return {row.children[0].children: row.children[-1].children for row in body.children}
