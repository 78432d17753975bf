"""`barberbot report`: a PDF whose pages render (pdftoppm) and hold the charts and insights."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import matplotlib.image
import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.cli import app
from barberbot.models import InquiryEvent, Shop
from tests.factories import make_inquiry

runner = CliRunner()


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", database_url)
    monkeypatch.setenv("BARBERBOT_DATA_DIR", str(tmp_path))


def _ink(png: Path) -> float:
    """The share of a page's pixels that are not white."""
    pixels = matplotlib.image.imread(png)[..., :3]
    return float((pixels.mean(axis=2) < 0.95).mean())


def test_the_report_is_a_pdf_of_charts_and_insights(
    session: Session, shop: Shop, tmp_path: Path
) -> None:
    assert shutil.which("pdftoppm"), "pdftoppm is needed: apt-get install poppler-utils"
    now = datetime.now(UTC)
    for n in range(40):
        made = make_inquiry(
            session,
            shop=shop,
            age=18 + n % 50,
            gender=("male", "female", "non_binary")[n % 3],
            inquiry_type=("haircut", "beard_trim", "shave")[n % 3],
            received_at=now - timedelta(days=n % 28, hours=n % 9),
            location=("high-street", "station")[n % 4 // 3],  # 30 and 10
        )
        if n < 4:  # answered after 1, 2, 3 and 4 hours
            session.add(InquiryEvent(inquiry_id=made.id, shop_id=shop.id, kind="reply",
                                     at=made.received_at + timedelta(hours=n + 1)))  # fmt: skip
            made.status = "waiting"
    session.commit()
    out = tmp_path / "report.pdf"

    result = runner.invoke(
        app, ["report", "--shop", shop.slug, "--period", "30d", "--out", str(out)]
    )

    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    # the cover with insights, three pages of charts, the locations compared, the replies
    assert len(pages) == 6
    assert all(_ink(page) > 0.02 for page in pages[1:])  # charts, not blank pages
    text = subprocess.run(
        ["pdftotext", str(out), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "King's Cuts: customers, last 30 days" in text
    assert "Inquiries: 40" in text
    assert "Haircut is what customers ask about most (35% of inquiries)." in text
    assert "Age band x inquiry type" in text
    assert "By shop and location" in text
    last_page = subprocess.run(
        ["pdftotext", "-layout", "-f", "5", "-l", "5", str(out), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    table = [" ".join(line.split()) for line in last_page.splitlines()]
    assert "Shop (location) Inquiries Share Previous period Change" in table
    assert "King's Cuts (high-street) 30 75% 0 —" in table  # no inquiries before: no change
    assert "King's Cuts (station) 10 25% 0 —" in table
    replies = subprocess.run(
        ["pdftotext", "-layout", "-f", "6", "-l", "6", str(out), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    lines = [" ".join(line.split()) for line in replies.splitlines()]
    assert "Typical time to first reply: 2 h 30 min (the period before: —)" in lines
    assert "Answered: 4 Still waiting for a first reply: 36" in lines
    assert "Inquiry type Answered Typical reply 9 in 10 within Waiting" in lines
    charts = sorted(p.name for p in tmp_path.glob("report-*.png"))
    assert charts == sorted(
        f"report-{name}.png"
        for name in ("per-day", "per-week", "inquiry-types", "ages", "age-bands", "genders",
                     "weekday-hour", "age-band-by-type", "locations")
    )  # fmt: skip


def test_bad_options_are_refused(session: Session, shop: Shop, tmp_path: Path) -> None:
    wrong_period = runner.invoke(
        app, ["report", "--shop", shop.slug, "--period", "2w", "--out", str(tmp_path / "r.pdf")]
    )
    not_pdf = runner.invoke(app, ["report", "--shop", shop.slug, "--out", str(tmp_path / "r.doc")])
    unknown = runner.invoke(app, ["report", "--shop", "nope", "--out", str(tmp_path / "r.pdf")])

    assert wrong_period.exit_code == not_pdf.exit_code == unknown.exit_code == 1
    assert "--period must be one of 7d, 30d, 90d, 365d" in wrong_period.output
    assert ".pdf" in not_pdf.output
    assert "Unknown shop 'nope'" in unknown.output
    assert not list(tmp_path.glob("*.pdf"))
