"""The shop's own questions in the counter window, one input per question type.

The answers are read in the shape the shared rules (forms/answers.py) take from the web form:
text as typed, several choices as a list, yes/no as "yes"/"no"; the rules judge them.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Mapping
from tkinter import ttk
from typing import Any

from barberbot.forms.answers import error_key
from barberbot.forms.definition import FormDefinition
from barberbot.forms.schemas import FieldType, FormField

YES_NO = ("", "Yes", "No")


class Question:
    """One question's input, whatever its type."""

    def __init__(self, parent: ttk.Frame, field: FormField) -> None:
        self.field = field
        self.choices: dict[str, tk.BooleanVar] = {}
        self.widget = self._build(parent)

    def _build(self, parent: ttk.Frame) -> tk.Widget:
        kind = self.field.type
        if kind == FieldType.LONG_TEXT:
            return tk.Text(parent, height=3, width=40, wrap="word", font="TkDefaultFont")
        if kind == FieldType.SINGLE_CHOICE:
            values = ["", *self.field.options]
            return ttk.Combobox(parent, values=values, state="readonly", width=30)
        if kind == FieldType.YES_NO:
            return ttk.Combobox(parent, values=list(YES_NO), state="readonly", width=30)
        if kind == FieldType.MULTIPLE_CHOICE:
            box = ttk.Frame(parent)
            for index, option in enumerate(self.field.options):
                chosen = tk.BooleanVar(value=False)
                self.choices[option] = chosen
                ttk.Checkbutton(box, text=option, variable=chosen).grid(
                    row=index // 3, column=index % 3, sticky="w", padx=(0, 8)
                )
            return box
        return ttk.Entry(parent, width=32)  # short text, number, date

    def value(self) -> Any:
        if self.field.type == FieldType.MULTIPLE_CHOICE:
            return [option for option, chosen in self.choices.items() if chosen.get()]
        if isinstance(self.widget, tk.Text):
            return self.widget.get("1.0", "end-1c")
        assert isinstance(self.widget, ttk.Entry)  # a Combobox is an Entry too
        return self.widget.get()

    def clear(self) -> None:
        for chosen in self.choices.values():
            chosen.set(False)
        if isinstance(self.widget, tk.Text):
            self.widget.delete("1.0", "end")
        elif isinstance(self.widget, ttk.Combobox):
            self.widget.set("")
        elif isinstance(self.widget, ttk.Entry):
            self.widget.delete(0, "end")

    def focus(self) -> None:
        if self.choices:
            first = self.widget.winfo_children()[0]
            first.focus_set()
        else:
            self.widget.focus_set()


class QuestionsPanel:
    """The asked questions of one form version, with their errors beside them."""

    def __init__(self, parent: ttk.Frame, form: FormDefinition) -> None:
        self.form = form
        self.frame = ttk.Frame(parent)
        self.questions: dict[str, Question] = {}
        self.errors: dict[str, ttk.Label] = {}
        for row, field in enumerate(form.asked):
            label = field.label + (" *" if field.required else "")
            ttk.Label(self.frame, text=label, wraplength=180).grid(
                row=row, column=0, sticky="nw", padx=(0, 8), pady=4
            )
            question = Question(self.frame, field)
            question.widget.grid(row=row, column=1, sticky="we", pady=4)
            self.questions[field.key] = question
            error = ttk.Label(self.frame, style="Error.TLabel", wraplength=260)
            error.grid(row=row, column=2, sticky="w", padx=(8, 0))
            self.errors[field.key] = error
            if field.help_text or field.type == FieldType.DATE:
                hint = field.help_text or "Like 2026-05-31."
                ttk.Label(self.frame, text=hint, foreground="#555555").grid(
                    row=row, column=3, sticky="w", padx=(8, 0)
                )
        self.frame.columnconfigure(1, weight=1)

    def answers(self) -> dict[str, Any]:
        return {key: question.value() for key, question in self.questions.items()}

    def clear(self) -> None:
        for question in self.questions.values():
            question.clear()
        self.show_errors({})

    def show_errors(self, errors: Mapping[str, str]) -> str | None:
        """Show each question's error; returns the key of the first one wrong."""
        first = None
        for key, label in self.errors.items():
            message = errors.get(error_key(key))
            label.configure(text=f"⚠ {message}" if message else "")
            if message and first is None:
                first = key
        return first

    def destroy(self) -> None:
        self.frame.destroy()
