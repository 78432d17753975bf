"""`barberbot report --owner`: one report over every shop a user may see."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.cli import app
from barberbot.models import Shop
from tests.factories import make_inquiry, make_shop, make_user

runner = CliRunner()
OWNER = "owner@chain.example"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BARBERBOT_DATA_DIR", str(tmp_path))


def _inquiries(
    session: Session, shop: Shop, count: int, *, days_ago: int, kind: str, at: str | None
) -> None:
    now = datetime.now(UTC)
    for n in range(count):
        make_inquiry(
            session, shop=shop, inquiry_type=kind, location=at, phone=None,
            email=f"{shop.slug}-{days_ago}-{n}@example.com",
            received_at=now - timedelta(days=days_ago + n, hours=1),
        )  # fmt: skip


def _text(pdf: Path, *pages: str) -> str:
    command = ["pdftotext", "-layout", *pages, str(pdf), "-"]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def test_the_owners_report_covers_each_of_their_shops_and_no_other(
    session: Session, tmp_path: Path
) -> None:
    alpha = make_shop(session, slug="alpha", name="Alpha Cuts", timezone="Europe/London")
    beta = make_shop(session, slug="beta", name="Beta Fades", timezone="Europe/Paris")
    gamma = make_shop(session, slug="gamma", name="Gamma Barbers")  # someone else's
    make_user(session, email=OWNER, shops=[beta, alpha])
    make_user(session, email="other@example.com", shops=[gamma])
    # everyone is 34 (the factory's age): one bar in the histogram
    _inquiries(session, alpha, 4, days_ago=1, kind="haircut", at="high-street")
    _inquiries(session, alpha, 2, days_ago=3, kind="haircut", at=None)
    _inquiries(session, beta, 3, days_ago=2, kind="shave", at="centre")
    _inquiries(session, beta, 2, days_ago=40, kind="shave", at="centre")  # the period before
    _inquiries(session, gamma, 5, days_ago=1, kind="haircut", at="high-street")
    out = tmp_path / "chain.pdf"

    result = runner.invoke(app, ["report", "--owner", OWNER, "--out", str(out)])

    assert result.exit_code == 0, result.output
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(out), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == 6  # the last: how fast they answer
    replies = " ".join(_text(out, "-f", "6", "-l", "6").split())
    assert "Still waiting for a first reply: 9" in replies  # none of Gamma's 5
    cover = " ".join(_text(out, "-f", "1", "-l", "1").split())
    assert "All shops of owner@chain.example: customers, last 30 days" in cover
    # the dashboard's rule for several shops: the first one's (by name) time zone
    assert "Shops: Alpha Cuts, Beta Fades. Times in Europe/London." in cover
    assert "Inquiries: 9" in cover  # 4 + 2 + 3; none of Gamma's 5
    assert "Unique customers: 9" in cover
    assert "Change on the previous period: +350%" in cover  # 9 against Beta's 2
    assert "Haircut is what customers ask about most (67% of inquiries)." in cover
    table = [" ".join(line.split()) for line in _text(out, "-f", "5", "-l", "5").splitlines()]
    rows = [line for line in table if line.startswith(("Alpha", "Beta", "Gamma")) and "%" in line]
    assert rows == [
        "Alpha Cuts (high-street) 4 44% 0 —",
        "Beta Fades (centre) 3 33% 2 +50%",
        "Alpha Cuts 2 22% 0 —",
    ]


def test_the_report_needs_exactly_one_known_shop_or_user_with_shops(
    session: Session, shop: Shop, tmp_path: Path
) -> None:
    make_user(session, email="nobody@example.com")
    out = str(tmp_path / "r.pdf")

    both = runner.invoke(app, ["report", "--shop", shop.slug, "--owner", OWNER, "--out", out])
    neither = runner.invoke(app, ["report", "--out", out])
    unknown = runner.invoke(app, ["report", "--owner", "ghost@example.com", "--out", out])
    shopless = runner.invoke(app, ["report", "--owner", "Nobody@Example.com", "--out", out])

    assert both.exit_code == neither.exit_code == unknown.exit_code == shopless.exit_code == 1
    assert "Give exactly one of --shop SLUG or --owner EMAIL." in both.output
    assert "Give exactly one of --shop SLUG or --owner EMAIL." in neither.output
    assert "Unknown user 'ghost@example.com'." in unknown.output
    assert "nobody@example.com may see no shops." in shopless.output
    assert not list(tmp_path.glob("*.pdf"))
