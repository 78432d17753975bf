"""`barberbot import` with the shop's own questions, on the SQL answer store and on MongoDB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.cli import app
from barberbot.desktop.store import LocalStore
from barberbot.desktop.workbook import write_workbook
from barberbot.forms.mongo import MongoAnswerStore
from barberbot.forms.store import AnswerStore, SqlAnswerStore
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Inquiry, InquiryAnswers, Shop
from tests.factories import inquiry_payload, make_form
from tests.imports.conftest import WriteXlsx
from tests.support.ports import free_port

runner = CliRunner()

# headers as a shop writes them: a label in capitals, a key, an export's answers.<key>
ANSWERED_CSV = """\
Name,Age,Gender,Inquiry type,E-mail,HAIR TYPE,barber,answers.heard_from,First visit?,Shoe size
Ana Lima,31,female,haircut,ana@example.com,curly,Sam,Friend; Instagram,yes,38
Bo Chen,45,male,beard_trim,bo@example.com,Straight,,Walked past,no,44
"""
BAD_CSV = """\
Name,Age,Gender,Inquiry type,E-mail,Hair type,Visits a year
Ana Lima,31,female,haircut,ana@example.com,Purple,4
Bo Chen,45,male,beard_trim,bo@example.com,,many
Cai Jones,8,male,haircut,cai@example.com,Wavy,2
"""

STANDARD = ["Name", "Age", "Gender", "Inquiry type", "E-mail"]
ANA = ["Ana Lima", 31, "female", "haircut", "ana@example.com"]


@pytest.fixture(autouse=True)
def _env(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path, mongodb_url: str | None
) -> None:
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BARBERBOT_DATA_DIR", str(tmp_path))
    if mongodb_url is not None:
        monkeypatch.setenv("BARBERBOT_MONGODB_URL", mongodb_url)
        monkeypatch.setenv("BARBERBOT_MONGODB_TIMEOUT_MS", "1000")


@pytest.fixture
def answer_store(mongodb_url: str | None) -> Iterator[AnswerStore]:
    store: AnswerStore = SqlAnswerStore() if mongodb_url is None else MongoAnswerStore(mongodb_url)
    yield store
    store.close()


def _import(path: Path, shop: Shop, *options: str) -> Any:
    return runner.invoke(app, ["import", str(path), "--shop", shop.slug, *options])


def _stored(session: Session) -> list[Inquiry]:
    session.rollback()  # a fresh snapshot (MariaDB reads are repeatable within one)
    return list(session.scalars(select(Inquiry).order_by(Inquiry.customer_name)))


def _document_count(store: AnswerStore, session: Session) -> int:
    if isinstance(store, MongoAnswerStore):
        return store.collection.count_documents({})
    session.rollback()
    return session.scalar(select(func.count()).select_from(InquiryAnswers)) or 0


def test_question_columns_are_imported_as_answers_once(
    session: Session, shop: Shop, tmp_path: Path, answer_store: AnswerStore
) -> None:
    form = make_form(session, shop=shop)
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERED_CSV)

    first = _import(path, shop)
    again = _import(path, shop)

    assert first.exit_code == 0, first.output
    assert "Imported 2 new inquiries" in first.output
    assert (
        "Columns imported as answers: HAIR TYPE, barber, answers.heard_from, First visit?."
        in first.output
    )
    assert "Columns not imported: Shoe size." in first.output
    assert "Imported 0 new inquiries" in again.output
    ana, bo = _stored(session)
    documents = answer_store.read(session, [ana.id, bo.id])
    assert documents[ana.id].answers == {
        "hair_type": "Curly",
        "barber": "Sam",
        "heard_from": ["Friend", "Instagram"],
        "first_visit": True,
    }
    assert documents[bo.id].answers == {
        "hair_type": "Straight",
        "heard_from": ["Walked past"],
        "first_visit": False,
    }
    assert {d.form_version for d in documents.values()} == {form.version}
    assert _document_count(answer_store, session) == 2


def test_bad_answers_are_reported_per_row_and_nothing_is_imported(
    session: Session, shop: Shop, tmp_path: Path, answer_store: AnswerStore
) -> None:
    make_form(session, shop=shop)
    path = tmp_path / "bad.csv"
    path.write_text(BAD_CSV)

    refused = _import(path, shop)
    stored_after_refusal = len(_stored(session))
    documents_after_refusal = _document_count(answer_store, session)
    skipped = _import(path, shop, "--skip-invalid")

    assert refused.exit_code == 1
    assert "row 2: Hair type: Choose one of: Straight, Wavy, Curly." in refused.output
    [row_3] = [line for line in refused.output.splitlines() if "row 3:" in line]
    assert "Hair type: Please answer this question." in row_3
    assert "Visits a year: Answer with a number, like 3 or 2.5." in row_3
    assert "Nothing imported: 2 of 3 rows are not valid." in refused.output
    assert (stored_after_refusal, documents_after_refusal) == (0, 0)
    assert skipped.exit_code == 0, skipped.output
    [cai] = _stored(session)
    assert answer_store.read(session, [cai.id])[cai.id].answers == {
        "hair_type": "Wavy",
        "visits": 2,
    }


def test_excel_cells_are_read_as_the_questions_expect(
    session: Session, shop: Shop, write_xlsx: WriteXlsx, answer_store: AnswerStore
) -> None:
    make_form(session, shop=shop)
    path = write_xlsx(
        [
            [
                *STANDARD,
                "Hair type",
                "Visits a year",
                "Preferred day",
                "First visit?",
                "Anything else?",
            ],
            [*ANA, "Wavy", 4.0, datetime(2026, 12, 5, 0, 0), True, 12345],
        ]
    )

    result = _import(path, shop)

    assert result.exit_code == 0, result.output
    [ana] = _stored(session)
    assert answer_store.read(session, [ana.id])[ana.id].answers == {
        "hair_type": "Wavy",
        "visits": 4,
        "preferred_day": "2026-12-05",
        "first_visit": True,
        "notes": "12345",
    }


def test_answers_to_a_shop_without_a_form_are_not_imported(
    session: Session, shop: Shop, tmp_path: Path, answer_store: AnswerStore
) -> None:
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERED_CSV)

    result = _import(path, shop)

    assert result.exit_code == 0, result.output
    assert "Columns not imported: HAIR TYPE, barber, answers.heard_from" in result.output
    assert len(_stored(session)) == 2
    assert _document_count(answer_store, session) == 0


@pytest.mark.parametrize("answer_backend", ["mongodb"])
def test_mongodb_down_nothing_is_imported(
    session: Session, shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_form(session, shop=shop)
    monkeypatch.setenv("BARBERBOT_MONGODB_URL", f"mongodb://127.0.0.1:{free_port()}/x")
    monkeypatch.setenv("BARBERBOT_MONGODB_TIMEOUT_MS", "300")
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERED_CSV)

    result = _import(path, shop)

    assert result.exit_code == 1
    assert "Nothing imported: the store of custom answers cannot be reached." in result.output
    assert _stored(session) == []


def test_the_desktop_workbook_imports_with_its_answers(
    session: Session, shop: Shop, tmp_path: Path, answer_store: AnswerStore
) -> None:
    form = make_form(session, shop=shop)
    counter = LocalStore(tmp_path / "counter.db")
    answers = {"hair_type": "Curly", "heard_from": ["Friend", "Instagram"], "first_visit": False}
    payload = inquiry_payload(answers=answers)
    saved = counter.save(validate_inquiry(payload, shop.type_labels(), form), form.version)
    workbook = tmp_path / "inquiries.xlsx"
    write_workbook(workbook, counter.all(), shop.type_labels(), form)
    counter.close()

    result = _import(workbook, shop)

    assert result.exit_code == 0, result.output
    assert answer_store.read(session, [saved.id])[saved.id].answers == answers
