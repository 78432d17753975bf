"""The `barberbot` command, through Typer's runner, against the test database."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.auth import service as auth
from barberbot.cli import app
from barberbot.core.db import Database
from barberbot.demo.data import DEMO_EMAIL, DEMO_PASSWORD
from barberbot.models import Inquiry, Shop
from tests.factories import make_inquiry, make_shop

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BARBERBOT_DATA_DIR", str(tmp_path))


def test_db_upgrade_is_repeatable(database: Database) -> None:
    result = runner.invoke(app, ["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert "is at head" in result.output


def test_shop_user_and_token_creation(session: Session, database: Database) -> None:
    made = runner.invoke(
        app, ["shop", "create", "fade-house", "--name", "Fade House", "--timezone", "Europe/Paris"]
    )
    user = runner.invoke(
        app,
        ["user", "create", "Ana@Fade.example", "--shop", "fade-house", "--password", "s3cret-pass"],
    )
    token = runner.invoke(app, ["token", "create", "ana@fade.example", "--name", "desk"])

    assert made.exit_code == user.exit_code == token.exit_code == 0, made.output + user.output
    found = auth.authenticate(session, "ana@fade.example", "s3cret-pass")
    assert found is not None
    assert [s.slug for s in auth.shops_of(found)] == ["fade-house"]
    assert auth.user_for_token(session, token.output.strip()) == found


def test_bad_input_gets_a_clear_error_and_changes_nothing(
    session: Session, database: Database
) -> None:
    bad_slug = runner.invoke(app, ["shop", "create", "Bad Slug!", "--name", "X"])
    bad_zone = runner.invoke(
        app, ["shop", "create", "ok", "--name", "X", "--timezone", "Mars/Base"]
    )
    no_shop = runner.invoke(
        app, ["user", "create", "a@b.example", "--shop", "missing", "--password", "long-enough"]
    )
    short = runner.invoke(app, ["user", "create", "a@b.example", "--shop", "ok", "--password", "x"])

    assert bad_slug.exit_code == 1
    assert "lowercase letters" in bad_slug.output
    assert bad_zone.exit_code == 1
    assert "Unknown timezone" in bad_zone.output
    assert no_shop.exit_code == 1
    assert "Unknown shop(s): missing" in no_shop.output
    assert short.exit_code == 1
    assert session.scalar(select(func.count()).select_from(Shop)) == 0


def test_demo_loads_once_with_a_working_login(session: Session, database: Database) -> None:
    first = runner.invoke(app, ["demo", "--count", "40"])
    second = runner.invoke(app, ["demo"])

    assert first.exit_code == second.exit_code == 0
    assert "created with 40 inquiries" in first.output
    assert "already exists" in second.output
    assert session.scalar(select(func.count()).select_from(Inquiry)) == 40
    assert auth.authenticate(session, DEMO_EMAIL, DEMO_PASSWORD) is not None


def test_export_csv_to_stdout_and_xlsx_to_a_file(
    session: Session, database: Database, tmp_path: Path
) -> None:
    shop = make_shop(session, slug="exp", name="Export Shop")
    make_inquiry(session, shop=shop, customer_name="Björn Ærø")
    target = tmp_path / "out.xlsx"

    csv = runner.invoke(app, ["export", "--shop", "exp", "--format", "csv"])
    xlsx = runner.invoke(
        app, ["export", "--shop", "exp", "--format", "xlsx", "--output", str(target)]
    )

    assert csv.exit_code == xlsx.exit_code == 0
    frame = pd.read_csv(io.BytesIO(csv.stdout_bytes), encoding="utf-8-sig")
    assert frame["customer_name"].tolist() == ["Björn Ærø"]
    assert pd.read_excel(target)["customer_name"].tolist() == ["Björn Ærø"]


def test_export_refuses_unknown_format_and_shop(database: Database) -> None:
    wrong_format = runner.invoke(app, ["export", "--shop", "x", "--format", "pdf"])
    wrong_shop = runner.invoke(app, ["export", "--shop", "nowhere"])

    assert wrong_format.exit_code == 1
    assert "csv or xlsx" in wrong_format.output
    assert wrong_shop.exit_code == 1
    assert "Unknown shop 'nowhere'" in wrong_shop.output
