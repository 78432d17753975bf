"""The counter window on a real (virtual) X screen, driven through its widgets."""

from __future__ import annotations

import subprocess
import tkinter as tk
from pathlib import Path
from tkinter import ttk

import pandas as pd

from barberbot.desktop.window import InquiryWindow

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _type(window: InquiryWindow, field: str, text: str) -> None:
    widget = window.inputs[field]
    if isinstance(widget, ttk.Combobox):
        widget.set(text)
    elif isinstance(widget, tk.Text):
        widget.insert("1.0", text)
    else:
        assert isinstance(widget, ttk.Entry)
        widget.insert(0, text)


def _press(window: InquiryWindow, key: str) -> None:
    window.inputs["customer_name"].focus_force()
    window.root.update()
    window.inputs["customer_name"].event_generate(key)
    window.root.update()


def _fill(window: InquiryWindow) -> None:
    _type(window, "customer_name", "Zoë Núñez")
    _type(window, "age", "29")
    _type(window, "gender", "Female")
    _type(window, "inquiry_type", "Hair colouring")
    _type(window, "phone", "+44 7700 900456")
    _type(window, "email", "zoe@example.com")
    _type(window, "message", "Balayage on Friday?")
    window.consent.set(True)


def _error(window: InquiryWindow, field: str) -> str:
    return str(window.errors[field].cget("text"))


def test_enter_saves_the_inquiry_into_the_store_and_the_workbook(
    counter: InquiryWindow, tmp_path: Path
) -> None:
    _fill(counter)
    counter.root.update()
    _screenshot(counter, SCREENSHOTS / "desktop.png")

    _press(counter, "<Return>")

    [saved] = counter.store.all()
    assert saved.data["customer_name"] == "Zoë Núñez"
    assert saved.data["inquiry_type"] == "hair_colouring"
    assert saved.data["gender"] == "female"
    assert saved.data["marketing_consent"] is True
    assert "Saved the inquiry from Zoë Núñez" in counter.confirmation.get()
    assert "1 inquiry waiting to sync" in counter.status.get()
    assert _entry(counter, "customer_name") == ""  # cleared for the next customer
    assert counter.keeper.wait_idle(30)
    frame = pd.read_excel(counter.keeper.path)
    assert frame["Name"].tolist() == ["Zoë Núñez"]
    assert frame["Inquiry type"].tolist() == ["Hair colouring"]


def test_mistakes_show_beside_their_fields_and_nothing_is_saved(counter: InquiryWindow) -> None:
    _type(counter, "customer_name", "Ana Lima")
    _type(counter, "age", "abc")
    _type(counter, "email", "ana-at-example")

    _press(counter, "<Return>")

    assert "whole number" in _error(counter, "age")
    assert "name@example.com" in _error(counter, "email")
    assert "Please choose a gender" in _error(counter, "gender")
    assert _error(counter, "customer_name") == ""
    assert _entry(counter, "customer_name") == "Ana Lima"  # kept as typed
    assert counter.store.all() == []
    _screenshot(counter, SCREENSHOTS / "desktop-errors.png")


def test_escape_clears_the_form(counter: InquiryWindow) -> None:
    _fill(counter)

    _press(counter, "<Escape>")

    assert _entry(counter, "customer_name") == ""
    assert _entry(counter, "location") == "front-counter"
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


def _entry(window: InquiryWindow, field: str) -> str:
    widget = window.inputs[field]
    assert isinstance(widget, ttk.Entry)
    return widget.get()


def _screenshot(window: InquiryWindow, path: Path) -> None:
    window.root.update()
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["import", "-window", hex(window.root.winfo_id()), str(path)], check=True, timeout=30
    )
