"""The counter reads national phone numbers in the shop's country, fetched and kept offline."""

from __future__ import annotations

import json
from pathlib import Path
from tkinter import ttk

from fastapi import FastAPI
from sqlalchemy.orm import Session

from barberbot.desktop.config import DesktopConfig
from barberbot.desktop.window import InquiryWindow
from barberbot.models import Shop, User
from tests.desktop.conftest import MakeApp
from tests.desktop.test_app import pump
from tests.desktop.widgets import error_of, fill, press
from tests.factories import make_token
from tests.support.live import LiveServer


def _retype(window: InquiryWindow, field: str, text: str) -> None:
    widget = window.inputs[field]
    assert isinstance(widget, ttk.Entry)
    widget.delete(0, "end")
    widget.insert(0, text)


def test_the_shops_country_is_fetched_kept_and_used_offline(
    app: FastAPI,
    session: Session,
    shop: Shop,
    owner: User,
    make_app: MakeApp,
    tmp_path: Path,
) -> None:
    shop.country = "DE"
    session.commit()
    token = make_token(session, owner, "counter")
    with LiveServer(app) as server:
        online = make_app(DesktopConfig(server_url=server.url, shop=shop.slug, api_token=token))
        pump(online.root, lambda: online.window.country == "DE")
        # cached at once, not only on a clean exit
        remembered = json.loads((tmp_path / "desktop.json").read_text())
        online.quit()

    assert remembered["country"] == "DE"
    offline = make_app(DesktopConfig.model_validate(remembered))
    fill(offline.window)
    _retype(offline.window, "phone", "030 1234567")
    _retype(offline.window, "email", "Zoe@Example.COM")
    press(offline.window, "<Return>")

    [saved] = offline.store.all()
    assert (saved.data["phone"], saved.data["email"]) == ("+49301234567", "zoe@example.com")


def test_without_a_country_a_national_number_is_refused_beside_the_field(
    counter: InquiryWindow,
) -> None:
    fill(counter)
    _retype(counter, "phone", "07700 900123")

    press(counter, "<Return>")

    assert error_of(counter, "phone") == (
        "⚠ Enter the phone number with its country code, like +44 7700 900123."
    )
    assert counter.store.all() == []

    counter.country = "GB"  # as fetched from the server
    press(counter, "<Return>")

    [saved] = counter.store.all()
    assert saved.data["phone"] == "+447700900123"
