"""Driving the real Tk widgets the way a person at the counter would."""

from __future__ import annotations

import subprocess
import tkinter as tk
from pathlib import Path
from tkinter import ttk

from barberbot.desktop.window import InquiryWindow
from tests.support.screenshots import partial


def type_into(window: InquiryWindow, field: str, text: str) -> None:
    enter(window.inputs[field], text)


def enter(widget: tk.Widget, text: str) -> None:
    """Type into an entry or a text box, or pick from a combobox."""
    if isinstance(widget, ttk.Combobox):
        widget.set(text)
    elif isinstance(widget, tk.Text):
        widget.insert("1.0", text)
    else:
        assert isinstance(widget, ttk.Entry)
        widget.insert(0, text)


def press(window: InquiryWindow, key: str) -> None:
    window.inputs["customer_name"].focus_force()
    window.root.update()
    window.inputs["customer_name"].event_generate(key)
    window.root.update()


def fill(window: InquiryWindow) -> None:
    type_into(window, "customer_name", "Zoë Núñez")
    type_into(window, "age", "29")
    type_into(window, "gender", "Female")
    type_into(window, "inquiry_type", "Hair colouring")
    type_into(window, "phone", "+44 7700 900456")
    type_into(window, "email", "zoe@example.com")
    type_into(window, "message", "Balayage on Friday?")
    window.consent.set(True)


def error_of(window: InquiryWindow, field: str) -> str:
    return str(window.errors[field].cget("text"))


def value_of(window: InquiryWindow, field: str) -> str:
    widget = window.inputs[field]
    assert isinstance(widget, ttk.Entry)
    return widget.get()


def screenshot(window: tk.Misc, path: Path) -> None:
    window.update()
    path.parent.mkdir(parents=True, exist_ok=True)
    written = partial(path)
    subprocess.run(
        ["import", "-window", hex(window.winfo_id()), str(written)], check=True, timeout=30
    )
    written.replace(path)
