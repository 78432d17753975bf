"""The whole counter app on the virtual screen: settings dialog, sync, staying responsive."""

from __future__ import annotations

import json
import socket
import time
import tkinter as tk
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.desktop.config import DesktopConfig, form_cache
from barberbot.desktop.settings_dialog import SettingsDialog
from barberbot.forms.definition import FormDefinition
from barberbot.models import Inquiry, Shop, User
from tests.desktop.conftest import MakeApp
from tests.desktop.widgets import enter, fill, press, screenshot
from tests.factories import form_fields, make_form, make_token
from tests.support.live import LiveServer
from tests.support.screenshots import SCREENSHOTS


def pump(root: tk.Misc, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Run the window's event loop until `condition` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out with the window running")
        root.update()
        time.sleep(0.02)


@pytest.fixture
def token(session: Session, owner: User) -> str:
    return make_token(session, owner, "counter")


def _type(dialog: SettingsDialog, field: str, text: str) -> None:
    dialog.entries[field].delete(0, "end")
    dialog.entries[field].insert(0, text)


def test_settings_dialog_connects_the_counter_and_it_syncs(
    app: FastAPI,
    session: Session,
    shop: Shop,
    token: str,
    make_app: MakeApp,
    tmp_path: Path,
) -> None:
    counter = make_app(DesktopConfig())
    fill(counter.window)
    press(counter.window, "<Return>")  # saved offline, before any server is set up
    assert "not syncing: no server set up" in counter.window.status.get()

    with LiveServer(app) as server:
        dialog = counter.open_settings()
        _type(dialog, "server_url", server.url)
        _type(dialog, "shop", shop.slug)
        _type(dialog, "api_token", token)
        _type(dialog, "location", "high-street")
        dialog.test_connection()
        pump(counter.root, lambda: dialog.result.get().startswith("✓"))
        assert dialog.result.get() == "✓ Connected to King's Cuts: 9 inquiry types."
        screenshot(dialog.top, SCREENSHOTS / "desktop-settings.png")

        assert dialog.save()
        pump(counter.root, lambda: counter.store.pending_count() == 0)
        pump(counter.root, lambda: "synced at" in counter.window.status.get())

    saved = json.loads((tmp_path / "desktop.json").read_text())
    assert saved["server_url"] == server.url
    assert saved["location"] == "high-street"
    assert "Beard trim" in saved["inquiry_types"].values()
    [stored] = session.scalars(select(Inquiry)).all()
    assert stored.customer_name == "Zoë Núñez"
    assert stored.source == "desktop"


def test_settings_mistakes_show_beside_their_fields_and_nothing_is_kept(
    make_app: MakeApp, tmp_path: Path
) -> None:
    counter = make_app(DesktopConfig())
    dialog = counter.open_settings()
    _type(dialog, "server_url", "barberbot.example.com")
    _type(dialog, "shop", "kings-cuts")

    assert not dialog.save()

    assert "https://barberbot.example.com" in str(dialog.errors["server_url"].cget("text"))
    assert "Needed to sync" in str(dialog.errors["api_token"].cget("text"))
    assert not (tmp_path / "desktop.json").exists()
    assert counter.syncer is None


def test_the_window_keeps_working_while_the_server_never_answers(
    make_app: MakeApp, shop: Shop, token: str
) -> None:
    black_hole = socket.socket()
    black_hole.bind(("127.0.0.1", 0))
    black_hole.listen(16)
    server_url = f"http://127.0.0.1:{black_hole.getsockname()[1]}"
    try:
        counter = make_app(DesktopConfig(server_url=server_url, shop=shop.slug, api_token=token))
        for name in ("Ana Lima", "Bo Chen"):
            fill(counter.window)
            counter.window.inputs["customer_name"].delete(0, "end")  # type: ignore[attr-defined]
            counter.window.inputs["customer_name"].insert(0, name)  # type: ignore[attr-defined]
            press(counter.window, "<Return>")
            assert f"Saved the inquiry from {name}" in counter.window.confirmation.get()
        pump(counter.root, lambda: "2 inquiries waiting" in counter.window.status.get())

        assert counter.syncer is not None
        assert counter.syncer.status.error is None  # still waiting for its first answer
        assert "connecting…" in counter.window.status.get()
    finally:
        black_hole.close()


def test_the_shops_own_inquiry_types_replace_the_defaults(
    app: FastAPI, session: Session, shop: Shop, token: str, make_app: MakeApp, tmp_path: Path
) -> None:
    shop.inquiry_types = [
        {"key": "skin_fade", "label": "Skin fade"},
        {"key": "hot_towel", "label": "Hot towel shave"},
    ]
    session.commit()
    with LiveServer(app) as server:
        counter = make_app(DesktopConfig(server_url=server.url, shop=shop.slug, api_token=token))
        combobox = counter.window.inputs["inquiry_type"]
        pump(counter.root, lambda: "Skin fade" in combobox.cget("values"))

        assert list(combobox.cget("values")) == ["Skin fade", "Hot towel shave"]
        counter.quit()

    remembered = json.loads((tmp_path / "desktop.json").read_text())["inquiry_types"]
    assert remembered == {"skin_fade": "Skin fade", "hot_towel": "Hot towel shave"}


def test_the_shops_form_is_fetched_remembered_and_asked_offline(
    app: FastAPI, session: Session, shop: Shop, token: str, make_app: MakeApp, tmp_path: Path
) -> None:
    form = make_form(session, shop=shop)
    with LiveServer(app) as server:
        config = DesktopConfig(server_url=server.url, shop=shop.slug, api_token=token)
        online = make_app(config)
        pump(online.root, lambda: online.window.form.version == form.version)
        assert list(online.window.questions.questions) == [f.key for f in form.asked]
        # cached at once, not only on a clean exit
        remembered = json.loads((tmp_path / "desktop.json").read_text())["form"]
        online.quit()
        port = server.port

    assert remembered["version"] == form.version
    offline = make_app(DesktopConfig.model_validate(
        json.loads((tmp_path / "desktop.json").read_text())
    ))  # fmt: skip
    assert offline.config.server_url.endswith(str(port))  # nothing listens there any more
    fill(offline.window)
    enter(offline.window.questions.questions["hair_type"].widget, "Curly")
    press(offline.window, "<Return>")

    [saved] = offline.store.all()
    assert (saved.form_version, saved.data["answers"]) == (form.version, {"hair_type": "Curly"})
    assert offline.keeper.form.version == form.version  # its columns in the workbook


def test_another_shop_in_the_settings_drops_the_cached_questions(
    make_app: MakeApp, tmp_path: Path
) -> None:
    form = FormDefinition.from_stored(2, form_fields())
    kings = DesktopConfig(shop="kings", form=form_cache(form))
    counter = make_app(kings)
    asked_before = list(counter.window.questions.questions)

    counter.apply(kings.model_copy(update={"location": "till-2", "form": {}}))  # same shop
    kept = list(counter.window.questions.questions)
    counter.apply(kings.model_copy(update={"shop": "queens"}))

    assert asked_before == kept == [f.key for f in form.asked]
    assert counter.window.questions.questions == {}
    assert json.loads((tmp_path / "desktop.json").read_text())["form"] == {}
