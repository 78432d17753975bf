"""Data retention: off, nothing is erased; on, `barberbot settle` erases the inquiries without
marketing consent older than the shop's months, through the forget path, so their answers,
search terms and the dashboard's rollups go with them; consenting and recent ones stay."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.analytics.settling import settle_all
from barberbot.cli import app
from barberbot.core.db import Database
from barberbot.forms.definition import FormDefinition
from barberbot.forms.store import SqlAnswerStore
from barberbot.inquiries import writer
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.retention import months_before
from barberbot.inquiries.rules import validate_inquiry
from barberbot.models import Inquiry, InquiryAnswers, InquiryTerm, RollupCount, Shop, Source
from barberbot.shops import settings
from tests.factories import inquiry_payload, make_form


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BARBERBOT_DATA_DIR", str(tmp_path))


def _inquiry(
    session: Session, shop: Shop, form: FormDefinition, at: datetime, **fields: Any
) -> uuid.UUID:
    """An inquiry answering the shop's form, received at `at`."""
    raw = inquiry_payload(answers={"hair_type": "Wavy"}, **fields)
    data = validate_inquiry(raw, shop.type_labels(), form, country=shop.country)
    capture = prepare(shop, data, source=Source.API, form_version=form.version, received_at=at)
    writer.write(session, [capture], SqlAnswerStore())
    session.commit()
    return capture.id


def _counts(session: Session, shop: Shop) -> tuple[int, int, int, int]:
    """Inquiries, answer documents, inquiries with search terms, inquiries in the rollups."""
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    of_shop = Inquiry.shop_id == shop.id
    rolled = select(func.sum(RollupCount.inquiries)).where(
        RollupCount.shop_id == shop.id, RollupCount.level == 0
    )
    return (
        session.scalar(select(func.count()).where(of_shop)) or 0,
        session.scalar(select(func.count()).select_from(InquiryAnswers)) or 0,
        session.scalar(select(func.count(func.distinct(InquiryTerm.inquiry_id)))) or 0,
        session.scalar(rolled) or 0,
    )


def test_settle_erases_expired_inquiries_without_consent_only_when_turned_on(
    session: Session, database: Database, shop: Shop
) -> None:
    form = make_form(session, shop=shop)
    now = datetime.now(UTC)
    old = now - timedelta(days=400)
    expired = _inquiry(session, shop, form, old, marketing_consent=False)
    _inquiry(session, shop, form, old, email="keep@x.io")
    _inquiry(session, shop, form, now - timedelta(days=30), marketing_consent=False)
    settle_all(database)  # the rollups and search terms hold all three
    before = _counts(session, shop)

    off = CliRunner().invoke(app, ["settle"])
    while_off = _counts(session, shop)
    settings.update(session, shop, {"retention_months": 12})
    session.commit()
    on = CliRunner().invoke(app, ["settle"])
    after = _counts(session, shop)

    assert (off.exit_code, on.exit_code) == (0, 0), off.output + on.output
    assert before == while_off == (3, 3, 3, 3)
    assert after == (2, 2, 2, 2)
    assert session.get(Inquiry, expired) is None


def test_months_are_calendar_months() -> None:
    assert months_before(datetime(2026, 3, 31, 9, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 9, tzinfo=UTC
    )
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 13) == datetime(
        2024, 12, 15, tzinfo=UTC
    )
