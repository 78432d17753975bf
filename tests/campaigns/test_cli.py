"""`barberbot campaigns ...` through Typer's runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.cli import app
from barberbot.models import Shop
from tests.campaigns.factories import customer_by_name, make_person

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BARBERBOT_DATA_DIR", str(tmp_path))


def test_sync_customers_links_new_inquiries(session: Session, shop: Shop) -> None:
    make_person(session, shop=shop, name="Cli Person", email="cli@x.example")

    first = runner.invoke(app, ["campaigns", "sync-customers", "--shop", shop.slug])
    again = runner.invoke(app, ["campaigns", "sync-customers", "--shop", shop.slug])
    unknown = runner.invoke(app, ["campaigns", "sync-customers", "--shop", "nope"])

    assert first.exit_code == 0, first.output
    assert "1 new inquiries linked" in first.output
    assert "0 new inquiries linked" in again.output
    assert unknown.exit_code == 1
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    assert customer_by_name(session, shop, "Cli Person").email == "cli@x.example"


def test_run_until_idle_with_nothing_to_send_exits(database_url: str) -> None:
    result = runner.invoke(app, ["campaigns", "run", "--until-idle"])

    assert result.exit_code == 0, result.output
