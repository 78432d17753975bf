"""The shop's own questions in the real Tk window: inputs per type, the shared rules, storage."""

from __future__ import annotations

import tkinter as tk
from tkinter import ttk

import pandas as pd

from barberbot.desktop.questions import Question
from barberbot.desktop.window import InquiryWindow
from barberbot.forms.definition import FormDefinition
from tests.desktop.widgets import enter, fill, press
from tests.factories import form_fields


def _question(window: InquiryWindow, key: str) -> Question:
    return window.questions.questions[key]


def _type(window: InquiryWindow, key: str, text: str) -> None:
    enter(_question(window, key).widget, text)


def _tick(window: InquiryWindow, key: str, option: str) -> None:
    box = _question(window, key).widget
    [button] = [b for b in box.winfo_children() if str(b.cget("text")) == option]
    assert isinstance(button, ttk.Checkbutton)
    button.invoke()


def _error(window: InquiryWindow, key: str) -> str:
    return str(window.questions.errors[key].cget("text"))


def test_every_question_type_has_its_input(asking: InquiryWindow) -> None:
    widgets = {key: type(q.widget) for key, q in asking.questions.questions.items()}

    assert widgets == {
        "barber": ttk.Entry,
        "notes": tk.Text,
        "visits": ttk.Entry,
        "hair_type": ttk.Combobox,
        "heard_from": ttk.Frame,  # a checkbox per option
        "preferred_day": ttk.Entry,
        "first_visit": ttk.Combobox,  # yes / no
    }
    hair = _question(asking, "hair_type").widget
    assert list(hair.cget("values")) == ["", "Straight", "Wavy", "Curly"]


def test_answers_are_saved_with_the_form_version_and_shown_in_the_workbook(
    asking: InquiryWindow,
) -> None:
    fill(asking)
    _type(asking, "barber", "  Sam  ")
    _type(asking, "notes", "Sensitive scalp")
    _type(asking, "visits", "4")
    _type(asking, "hair_type", "Curly")
    _tick(asking, "heard_from", "Instagram")
    _tick(asking, "heard_from", "Friend")
    _type(asking, "preferred_day", "2026-12-05")
    _type(asking, "first_visit", "Yes")

    press(asking, "<Return>")

    [saved] = asking.store.all()
    assert saved.form_version == 3
    assert saved.data["answers"] == {
        "barber": "Sam",
        "notes": "Sensitive scalp",
        "visits": 4,
        "hair_type": "Curly",
        "heard_from": ["Friend", "Instagram"],
        "preferred_day": "2026-12-05",
        "first_visit": True,
    }
    assert _question(asking, "heard_from").value() == []  # cleared for the next customer
    assert asking.keeper.wait_idle(30)
    frame = pd.read_excel(asking.keeper.path)
    assert list(frame.columns)[9:12] == [
        "Location",
        "Which barber do you prefer?",
        "Anything else?",
    ]
    assert frame["Hair type"].tolist() == ["Curly"]
    assert frame["How did you hear about us?"].tolist() == ["Friend; Instagram"]
    assert frame["First visit?"].tolist() == ["yes"]


def test_wrong_answers_show_beside_their_questions_and_nothing_is_saved(
    asking: InquiryWindow,
) -> None:
    fill(asking)
    _type(asking, "visits", "100")
    _type(asking, "preferred_day", "next friday")

    press(asking, "<Return>")

    assert _error(asking, "hair_type") == "⚠ Please answer this question."
    assert _error(asking, "visits") == "⚠ The largest answer is 52."
    assert "2026-05-31" in _error(asking, "preferred_day")
    assert _error(asking, "barber") == ""
    assert asking.store.all() == []
    assert asking.root.focus_get() is _question(asking, "visits").widget


def test_a_new_version_of_the_form_changes_the_questions(asking: InquiryWindow) -> None:
    fields = [f for f in form_fields() if f["key"] in ("barber", "hair_type")]
    retired = {"key": "visits", "label": "Visits", "type": "number", "retired": True}

    asking.set_form(FormDefinition.from_stored(4, [*fields, retired]))
    fill(asking)
    _type(asking, "hair_type", "Wavy")
    press(asking, "<Return>")

    assert list(asking.questions.questions) == ["barber", "hair_type"]
    [saved] = asking.store.all()
    assert (saved.form_version, saved.data["answers"]) == (4, {"hair_type": "Wavy"})
