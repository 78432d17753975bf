"""Migration 8b2c3d4e5f6a on a database with inquiries in it: recent ones become new, those
older than 30 days closed (no outcome), and nothing else of theirs is lost."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

from barberbot.core import migrate
from barberbot.core.db import Database
from barberbot.forms.store import SqlAnswerStore
from barberbot.inquiries import writer
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Inquiry, InquiryAnswers, InquiryEvent, Shop, Source
from barberbot.models.base import utcnow
from tests.factories import inquiry_payload, make_form, make_inquiry

BEFORE = "7a1b2c3d4e5f"


def _with_answers(session: Session, shop: Shop, name: str) -> Inquiry:
    form = make_form(session, shop=shop)
    payload = inquiry_payload(customer_name=name, answers={"hair_type": "Wavy"})
    data = validate_inquiry(payload, shop.type_labels(), form, country=shop.country)
    capture = prepare(shop, data, source=Source.API, form_version=form.version)
    writer.write(session, [capture], SqlAnswerStore())
    session.commit()
    return session.get_one(Inquiry, capture.id)


def test_old_inquiries_are_closed_recent_ones_new_and_their_answers_kept(
    database: Database, session: Session, shop: Shop
) -> None:
    now = utcnow()
    old = make_inquiry(
        session, shop=shop, customer_name="Old", received_at=now - timedelta(days=45)
    )
    edge = make_inquiry(
        session, shop=shop, customer_name="Edge", received_at=now - timedelta(days=29, hours=23)
    )
    recent = _with_answers(session, shop, "Recent")
    session.close()

    migrate.downgrade(database.engine, BEFORE)
    columns = {c["name"] for c in inspect(database.engine).get_columns("inquiries")}
    assert not {"status", "outcome", "assignee_id"} & columns
    assert "inquiry_events" not in inspect(database.engine).get_table_names()
    migrate.upgrade(database.engine)

    with database.sessions() as check:
        stored = {
            name: (status, outcome, assignee)
            for name, status, outcome, assignee in check.execute(
                select(Inquiry.customer_name, Inquiry.status, Inquiry.outcome, Inquiry.assignee_id)
            )
        }
        assert stored == {
            old.customer_name: ("closed", None, None),
            edge.customer_name: ("new", None, None),
            recent.customer_name: ("new", None, None),
        }
        # the answers survived the table's copy (SQLite) both ways, and no event was made up
        assert check.scalar(select(func.count()).select_from(InquiryAnswers)) == 1
        assert check.scalar(select(func.count()).select_from(InquiryEvent)) == 0
