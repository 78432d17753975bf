"""The counter window on a real (virtual) X screen, driven through its widgets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from barberbot.desktop.window import InquiryWindow
from tests.desktop.widgets import error_of, fill, press, screenshot, type_into, value_of
from tests.support.screenshots import SCREENSHOTS


def test_enter_saves_the_inquiry_into_the_store_and_the_workbook(
    counter: InquiryWindow, tmp_path: Path
) -> None:
    fill(counter)
    counter.root.update()
    screenshot(counter.root, SCREENSHOTS / "desktop.png")

    press(counter, "<Return>")

    [saved] = counter.store.all()
    assert saved.data["customer_name"] == "Zoë Núñez"
    assert saved.data["inquiry_type"] == "hair_colouring"
    assert saved.data["gender"] == "female"
    assert saved.data["marketing_consent"] is True
    assert "Saved the inquiry from Zoë Núñez" in counter.confirmation.get()
    assert "1 inquiry waiting to sync" in counter.status.get()
    assert value_of(counter, "customer_name") == ""  # cleared for the next customer
    assert counter.keeper.wait_idle(30)
    frame = pd.read_excel(counter.keeper.path)
    assert frame["Name"].tolist() == ["Zoë Núñez"]
    assert frame["Inquiry type"].tolist() == ["Hair colouring"]


def test_mistakes_show_beside_their_fields_and_nothing_is_saved(counter: InquiryWindow) -> None:
    type_into(counter, "customer_name", "Ana Lima")
    type_into(counter, "age", "abc")
    type_into(counter, "email", "ana-at-example")

    press(counter, "<Return>")

    assert "whole number" in error_of(counter, "age")
    assert "name@example.com" in error_of(counter, "email")
    assert "Please choose a gender" in error_of(counter, "gender")
    assert error_of(counter, "customer_name") == ""
    assert value_of(counter, "customer_name") == "Ana Lima"  # kept as typed
    assert counter.store.all() == []
    screenshot(counter.root, SCREENSHOTS / "desktop-errors.png")


def test_escape_clears_the_form(counter: InquiryWindow) -> None:
    fill(counter)

    press(counter, "<Escape>")

    assert value_of(counter, "customer_name") == ""
    assert value_of(counter, "location") == "front-counter"
    assert counter.consent.get() is False


def test_tab_order_follows_the_form(counter: InquiryWindow) -> None:
    order = []
    counter.inputs["customer_name"].focus_force()
    counter.root.update()
    for _ in range(8):
        focused = counter.root.focus_get()
        order.append(next(n for n, w in counter.inputs.items() if w is focused))
        focused.event_generate("<Tab>")  # type: ignore[union-attr]
        counter.root.update()

    assert order == [
        "customer_name", "age", "gender", "inquiry_type", "phone", "email", "message", "location",
    ]  # fmt: skip
