"""Reads never write: the dashboard's callbacks and `barberbot report` only read, however far
behind the rollups and the customers table are; settling is the writers' side's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.analytics import queries
from barberbot.analytics.filters import Selection, period_for
from barberbot.analytics.settling import Settled, settle_all
from barberbot.cli import app
from barberbot.core.db import Database
from barberbot.dashboard.callbacks import _customers, _refresh
from barberbot.dashboard.state import ViewState
from barberbot.models import Shop, User
from tests.analytics.writes import recorded_writes
from tests.factories import make_inquiry

NOW = datetime.now(UTC)


def _add(session: Session, shop: Shop, days: float, email: str) -> None:
    make_inquiry(session, shop=shop, received_at=NOW - timedelta(days=days), email=email,
                 phone="", age=20 + int(days) % 40)  # fmt: skip


@pytest.fixture
def behind(database: Database, session: Session, shop: Shop) -> Shop:
    """A shop settled once, then written to: a day of rollups and customers is late (an old
    inquiry stored now), today's inquiries are not linked, and the newest days not settled."""
    for n in range(30):
        _add(session, shop, 2 + n * 1.7, f"c{n % 12}@x.io")
    settle_all(database)
    _add(session, shop, 20.5, "late@x.io")  # received 20 days ago: marks its day late
    _add(session, shop, 0.01, "c3@x.io")
    _add(session, shop, 0.02, "new@x.io")
    return shop


def test_settling_writes_and_the_recorder_sees_it(database: Database, behind: Shop) -> None:
    with recorded_writes() as writes:
        settled = settle_all(database)

    assert settled == Settled(shops=1)
    assert any(sql.startswith("INSERT INTO rollup_counts") for sql in writes)
    assert any(sql.startswith("INSERT INTO customer_inquiries") for sql in writes)
    assert writes[-1] == "COMMIT"


def test_the_dashboard_and_the_report_only_read(
    database: Database,
    session: Session,
    behind: Shop,
    owner: User,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BARBERBOT_DATABASE_URL", database.engine.url.render_as_string(False))
    monkeypatch.setenv("BARBERBOT_DATA_DIR", str(tmp_path))
    out = tmp_path / "report.pdf"
    view = ViewState(shop=behind.slug, period="30d")

    with recorded_writes() as writes:
        figures = _refresh(database, owner.id, view)
        unique, new_returning, _ = _customers(database, owner.id, view)
        report = CliRunner().invoke(
            app, ["report", "--shop", behind.slug, "--period", "30d", "--out", str(out)]
        )

    assert writes == []
    assert report.exit_code == 0, report.output
    selection = Selection(
        shop_ids=(behind.id,), period=period_for("30d", zone=ZoneInfo("UTC"), now=NOW)
    )
    inquiries = queries.counts(session, selection)["inquiries"].sum()
    counted = queries.customers(session, selection)
    assert figures["inquiries"] == f"{inquiries:,}" == "20"
    assert (unique, new_returning) == (
        f"{counted['customers']:,}",
        f"{counted['new']:,} / {counted['returning']:,}",
    )
