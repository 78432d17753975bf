"""The `barberbot` command, through Typer's runner, against the test database."""

from __future__ import annotations

import io
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from barberbot.auth import service as auth
from barberbot.cli import app
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.demo.data import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from barberbot.inquiries import settled
from barberbot.models import Inquiry, RollupCount, SettledMark, Shop
from tests.factories import make_inquiry, make_shop
from tests.support.environment import settings_env
from tests.support.ports import free_port, terminate, wait_for_port

runner = CliRunner()
BARBERBOT = str(Path(sys.executable).parent / "barberbot")


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


def test_settle_brings_every_shop_up_to_date_and_fails_if_one_fails(
    session: Session, database: Database
) -> None:
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    shops = [make_shop(session, slug=f"s{n}") for n in range(2)]
    for shop in shops:
        make_inquiry(session, shop=shop, received_at=three_days_ago)
    # a row another settler wrote meanwhile: settling the first shop collides with it
    stray = RollupCount(shop_id=shops[0].id, level=0, first_day=settled.day_of(three_days_ago),
                        inquiry_type="beard_trim", gender="male", age_band="25-34",
                        location="high-street", inquiries=1, consenting=1)  # fmt: skip
    session.add(stray)
    session.commit()

    failed = runner.invoke(app, ["settle"])
    session.delete(stray)
    session.commit()
    done = runner.invoke(app, ["settle"])
    marks = session.scalars(select(SettledMark.shop_id).order_by(SettledMark.shop_id)).all()

    assert failed.exit_code == 1
    assert "settling a shop failed; the next round tries again" in failed.output
    assert failed.output.endswith("Settled 1 of 2 shops.\n")
    assert done.exit_code == 0, done.output
    assert done.output == "Settled 2 of 2 shops.\n"
    assert marks == [shops[0].id] * 2 + [shops[1].id] * 2  # rollups and customers


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def test_serve_listens_where_told_and_prints_urls_and_a_login_that_work(
    session: Session, database: Database, settings: Settings, tmp_path: Path
) -> None:
    load_demo(session, count=5)
    session.commit()
    host, port = "127.0.0.2", free_port()  # not the default host: BARBERBOT_HOST must count
    base = f"http://{host}:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [BARBERBOT, "serve"],
            env=settings_env(settings, host=host, port=str(port)),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, timeout=60, host=host)
        printed = log.read_text()  # the welcome is printed before the server listens
        shown = dict(re.findall(r"^ +(\w[\w -]*): +(.+?)$", printed, flags=re.MULTILINE))
        with httpx.Client(follow_redirects=True, timeout=10) as browser:
            health = browser.get(f"{base}/healthz")
            pages = {name: browser.get(url) for name, url in shown.items() if "://" in url}
            email, password = shown["Demo login"].split(" / ")
            signed_in = browser.post(
                shown["Owner sign-in"],
                data={
                    "email": email,
                    "password": password,
                    "csrf": _csrf(pages["Owner sign-in"].text),
                },
            )
            dashboard = browser.get(shown["Dashboard"])
        server.terminate()
        exit_code = server.wait(20)
    finally:
        terminate(server)

    assert f"BarberBot is starting on {base}\n" in printed, printed
    assert shown == {
        "Owner sign-in": f"{base}/login",
        "Dashboard": f"{base}/dashboard/",
        "Demo web form": f"{base}/s/demo/inquire",
        "Demo login": f"{DEMO_EMAIL} / {DEMO_PASSWORD}",
        "API docs": f"{base}/docs",
        "Outbox": f"{base}/outbox",  # no mail server set up: messages are kept there
    }
    assert health.json() == {"status": "ok"}
    assert {name: page.status_code for name, page in pages.items()} == dict.fromkeys(pages, 200)
    assert "Demo Barbers" in pages["Demo web form"].text
    assert "Swagger UI" in pages["API docs"].text
    assert pages["Dashboard"].url.path == "/login"  # signed out: sent to sign in first
    assert pages["Outbox"].url.path == "/login"
    assert signed_in.url.path == "/shops/demo"  # the printed login works
    assert dashboard.url.path == "/dashboard/"
    # A graceful stop: uvicorn finishes the shutdown, then re-raises the SIGTERM it caught.
    assert "Application shutdown complete" in log.read_text()
    assert exit_code == -signal.SIGTERM


@pytest.mark.parametrize(
    ("public_url", "base"),
    [("", "http://127.0.0.1:8123"), ("https://book.kings.example/", "https://book.kings.example")],
)
def test_serve_on_every_interface_shows_a_reachable_base_url(
    monkeypatch: pytest.MonkeyPatch, database: Database, public_url: str, base: str
) -> None:
    runs: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *_, **options: runs.append(options))
    monkeypatch.setenv("BARBERBOT_PUBLIC_URL", public_url)

    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123"])

    assert result.exit_code == 0, result.output
    assert f"BarberBot is starting on {base}\n" in result.output
    assert f"API docs:      {base}/docs\n" in result.output
    assert "Demo" not in result.output  # no demo shop loaded, so no demo form or login
    assert [(r["host"], r["port"]) for r in runs] == [("0.0.0.0", 8123)]


@pytest.mark.parametrize(
    ("flags", "sends"),
    [
        ([], False),  # BARBERBOT_SEND_IN_SERVE, here false
        (["--sender"], True),
        (["--no-sender"], False),
    ],
)
def test_serve_sender_option_reaches_the_app_each_worker_builds(
    monkeypatch: pytest.MonkeyPatch, database: Database, flags: list[str], sends: bool
) -> None:
    """uvicorn builds the app from the environment (in each worker process): the option has
    to reach it there, and the app then runs the sender in its lifespan."""
    monkeypatch.setenv("BARBERBOT_SEND_IN_SERVE", "false")  # restored after the test
    built: list[FastAPI] = []

    def run(target: str, **_: object) -> None:
        factory = uvicorn.importer.import_from_string(target)
        built.append(factory())

    monkeypatch.setattr(uvicorn, "run", run)

    result = runner.invoke(app, ["serve", *flags])

    assert result.exit_code == 0, result.output
    [made] = built
    assert (made.state.sender is not None) is sends
    made.state.db.engine.dispose()


def test_serve_names_the_outbox_only_while_messages_are_kept_there(
    monkeypatch: pytest.MonkeyPatch, database: Database
) -> None:
    monkeypatch.setattr(uvicorn, "run", lambda *_, **__: None)

    kept = runner.invoke(app, ["serve"])
    monkeypatch.setenv("BARBERBOT_SMTP_HOST", "smtp.kings.example")
    monkeypatch.setenv("BARBERBOT_SMS_PROVIDER", "twilio")
    sent = runner.invoke(app, ["serve"])

    assert "Outbox:        http://127.0.0.1:8000/outbox\n" in kept.output
    assert (
        "(no mail server or SMS provider set up: messages are kept there, not sent)" in kept.output
    )
    assert "Outbox" not in sent.output


def test_serve_believes_forwarded_headers_only_from_the_configured_proxies(
    settings: Settings,
) -> None:
    from barberbot.cli import proxy_options

    assert proxy_options(settings) == {"proxy_headers": False, "forwarded_allow_ips": None}
    behind = settings.model_copy(update={"forwarded_allow_ips": " 10.0.0.0/8 "})
    assert proxy_options(behind) == {"proxy_headers": True, "forwarded_allow_ips": "10.0.0.0/8"}
