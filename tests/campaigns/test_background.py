"""The sender inside `serve` (BARBERBOT_SEND_IN_SERVE): on where nothing else sends, started
and stopped with the app."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.app import create_app
from barberbot.campaigns.background import THREAD_NAME, SenderThread
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.models import Campaign, Shop
from tests.campaigns.factories import make_campaign, make_person, make_segment
from tests.campaigns.helpers import states
from tests.streaming.helpers import wait_until
from tests.support.smtp import SmtpServer

EMAIL = {"field": "consent", "channel": "email"}


@pytest.mark.parametrize(
    ("overrides", "sends"),
    [
        ({"environment": "development"}, True),  # `make run`: no Kafka, no separate sender
        ({"environment": "production"}, True),
        ({"environment": "production", "kafka_bootstrap_servers": "kafka:9092"}, False),
        ({"environment": "test"}, False),  # unless a test asks for it
        ({"environment": "test", "send_in_serve": True}, True),
        ({"environment": "development", "send_in_serve": False}, False),
    ],
)
def test_serve_sends_where_no_separate_sender_does(
    overrides: dict[str, object], sends: bool
) -> None:
    fields = {"secret_key": "a-production-secret-key-long-enough", **overrides}
    assert Settings(_env_file=None, **fields).sends_in_serve is sends  # type: ignore[arg-type]


def _senders() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


def test_the_app_sends_in_the_background_and_stops_the_sender_on_shutdown(
    settings: Settings, database: Database, session: Session, shop: Shop
) -> None:
    make_person(session, shop=shop, name="Al Green", email="al@x.example")
    make_person(session, shop=shop, name="Ed White", email="ed@x.example")
    asked = settings.model_copy(
        update={"smtp_host": "", "send_in_serve": True, "campaign_poll_seconds": 0.05}
    )
    folder = asked.resolved_local_outbox_dir
    app = create_app(asked, database)
    assert _senders() == []

    with TestClient(app):
        assert app.state.sender.running
        assert len(_senders()) == 1
        campaign = make_campaign(
            session, shop=shop, segment=make_segment(session, shop=shop, rule=EMAIL), send=True
        )
        wait_until(lambda: len(list(folder.glob("*.eml"))) == 2, 30, "both messages kept")
        campaign_id = campaign.id
        wait_until(lambda: campaign_done(session, campaign_id), 30, "the campaign recorded sent")

    assert not app.state.sender.running
    assert _senders() == []
    assert states(session, campaign) == {"al@x.example": "sent", "ed@x.example": "sent"}


def campaign_done(session: Session, campaign_id: int) -> bool:
    session.rollback()  # a fresh snapshot (MariaDB reads repeatably)
    status = session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))
    return status == "sent"


def test_with_smtp_set_up_the_sender_in_serve_sends_for_real(
    settings: Settings, database: Database, session: Session, shop: Shop, smtp: SmtpServer
) -> None:
    make_person(session, shop=shop, name="Al Green", email="al@x.example")
    asked = settings.model_copy(update={"send_in_serve": True, "campaign_poll_seconds": 0.05})

    with TestClient(create_app(asked, database)):
        make_campaign(
            session, shop=shop, segment=make_segment(session, shop=shop, rule=EMAIL), send=True
        )
        wait_until(lambda: len(smtp.messages()) == 1, 30, "the message at the mail server")

    assert smtp.messages()[0].recipients == ["al@x.example"]
    assert not asked.resolved_local_outbox_dir.exists()


def test_tests_run_no_sender_in_the_app_unless_asked(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings, database)
    with TestClient(app):
        assert app.state.sender is None
        assert _senders() == []


def test_a_sender_that_fails_is_started_again_and_stops_when_asked(
    settings: Settings, database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A failure the sender does not wait out itself (here: no secret key can be kept, in a
    data folder that is a file) is logged, and the sender started again until it is stopped."""
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be")
    broken = settings.model_copy(
        update={"secret_key": None, "data_dir": not_a_folder, "campaign_poll_seconds": 0.05}
    )
    thread = SenderThread(database, broken)
    with caplog.at_level(logging.ERROR, logger="barberbot.campaigns"):
        thread.start()
        wait_until(lambda: len(caplog.records) >= 2, 30, "two failed starts, logged")
        thread.stop()

    assert not thread.running
    assert _senders() == []
    assert {r.getMessage() for r in caplog.records} == {
        "campaign sender failed; it starts again in 0.05 s"
    }
