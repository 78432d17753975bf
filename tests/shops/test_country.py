"""A shop's country: from its timezone unless given, set with the CLI, checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.cli import app
from barberbot.core.countries import country_for_timezone, country_name
from barberbot.core.db import Database
from barberbot.models import Shop
from barberbot.shops import service as shops

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BARBERBOT_DATA_DIR", str(tmp_path))


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("Europe/London", "GB"),
        ("Europe/Berlin", "DE"),  # zone1970.tab shares it with DK, NO, SE, SJ; zone.tab: DE
        ("America/New_York", "US"),
        ("Asia/Kolkata", "IN"),
        ("Australia/Sydney", "AU"),
        ("UTC", None),
        ("Etc/GMT+3", None),
    ],
)
def test_a_timezone_names_its_country(zone: str, country: str | None) -> None:
    assert country_for_timezone(zone) == country


def test_country_names_come_from_the_same_tables() -> None:
    assert (country_name("DE"), country_name("US")) == ("Germany", "United States")


def test_create_defaults_the_country_from_the_timezone(session: Session) -> None:
    london = shops.create(session, slug="london", name="London", timezone="Europe/London")
    utc = shops.create(session, slug="utc", name="UTC")
    given = shops.create(session, slug="dub", name="Dub", timezone="Europe/London", country="ie")
    none = shops.create(session, slug="nil", name="Nil", timezone="Europe/London", country=None)

    assert [s.country for s in (london, utc, given, none)] == ["GB", None, "IE", None]


def test_an_unknown_country_is_refused(session: Session) -> None:
    with pytest.raises(shops.ShopInvalid, match="two-letter ISO code"):
        shops.create(session, slug="x", name="X", country="UK")


def test_the_cli_creates_and_changes_a_shops_country(session: Session, database: Database) -> None:
    made = runner.invoke(
        app, ["shop", "create", "fade", "--name", "Fade", "--timezone", "Europe/Paris"]
    )
    other = runner.invoke(app, ["shop", "create", "dub", "--name", "Dub", "--country", "IE"])
    bad = runner.invoke(app, ["shop", "create", "bad", "--name", "Bad", "--country", "XX"])
    cleared = runner.invoke(app, ["shop", "set-country", "fade", "none"])
    changed = runner.invoke(app, ["shop", "set-country", "dub", "gb"])
    unknown = runner.invoke(app, ["shop", "set-country", "missing", "GB"])

    assert made.exit_code == 0, made.output
    assert "Country FR: phone numbers without a +country code are read as its." in made.output
    assert (other.exit_code, bad.exit_code) == (0, 1)
    assert "Unknown country 'XX'" in bad.output
    assert cleared.exit_code == changed.exit_code == 0
    assert "No country: phone numbers must be given with their +country code." in cleared.output
    assert (unknown.exit_code, "Unknown shop 'missing'" in unknown.output) == (1, True)
    countries = dict(session.execute(select(Shop.slug, Shop.country)).all())
    assert countries == {"fade": None, "dub": "GB"}
