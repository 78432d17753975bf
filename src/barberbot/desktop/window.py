"""The counter's Tk window: the web form's fields and rules, keyboard first.

Below the standard fields come the shop's own questions, from the form cached for offline
use; their answers are checked with the same rules and saved with the form's version.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Mapping
from tkinter import font as tkfont
from tkinter import ttk
from typing import Any

from barberbot.core.choices import Gender
from barberbot.desktop.questions import QuestionsPanel
from barberbot.desktop.status import status_line
from barberbot.desktop.store import LocalStore
from barberbot.desktop.sync import Syncer
from barberbot.desktop.workbook import WorkbookKeeper
from barberbot.forms.answers import ANSWERS
from barberbot.forms.definition import NO_FORM, FormDefinition
from barberbot.inquiries.rules import CONTACT_FIELD, InquiryInvalid, validate_inquiry

TITLE = "BarberBot — front counter"
TICK_MS = 1000  # how often the status line is brought up to date
STATUS_WIDTH = 640  # pixels before the status line wraps
CONSENT_TEXT = "Yes, the shop may send me offers and news by e-mail or SMS."
ENTRY_FIELDS = (
    ("customer_name", "Name"),
    ("age", "Age"),
    ("gender", "Gender"),
    ("inquiry_type", "What is it about?"),
    ("phone", "Phone"),
    ("email", "E-mail"),
    ("message", "Message"),
    ("location", "Location"),
)


class InquiryWindow:
    """One form; Enter saves, Escape clears, errors appear beside their fields."""

    def __init__(
        self,
        root: tk.Tk,
        store: LocalStore,
        keeper: WorkbookKeeper,
        types: Mapping[str, str],
        location: str = "front-counter",
        syncer: Syncer | None = None,
        open_settings: Callable[[], object] | None = None,
        form: FormDefinition = NO_FORM,
        on_form: Callable[[FormDefinition], object] | None = None,
        country: str | None = None,
        on_country: Callable[[str | None], object] | None = None,
    ) -> None:
        self.root = root
        self.form = form
        self.on_form = on_form  # told of a new version fetched, to cache it at once
        self.country = country  # the shop's, for phone numbers without a country code
        self.on_country = on_country  # told of a changed country fetched, to cache it
        self.syncer = syncer
        self.open_settings = open_settings
        self.store = store
        self.keeper = keeper
        self.types = dict(types)
        self.location = location
        self.genders = {g.label: g.value for g in Gender}
        self.inputs: dict[str, tk.Widget] = {}
        self.errors: dict[str, ttk.Label] = {}
        self.consent = tk.BooleanVar(value=False)
        self.confirmation = tk.StringVar()
        self.status = tk.StringVar()
        self._build()
        self.clear()
        self._ticking = self.root.after(TICK_MS, self._tick)

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        self.root.title(TITLE)
        for name in ("TkDefaultFont", "TkTextFont"):
            tkfont.nametofont(name).configure(size=12)
        style = ttk.Style(self.root)
        style.configure("Error.TLabel", foreground="#b00020")
        style.configure("Done.TLabel", foreground="#1b6e20")
        frame = ttk.Frame(self.root, padding=16)
        frame.grid(sticky="nsew")
        ttk.Label(frame, text="New inquiry", font=("TkDefaultFont", 16, "bold")).grid(
            row=0, column=0, columnspan=3, sticky="w", pady=(0, 8)
        )
        for row, (name, label) in enumerate(ENTRY_FIELDS, start=1):
            ttk.Label(frame, text=label).grid(row=row, column=0, sticky="nw", padx=(0, 8), pady=4)
            widget = self._input(frame, name)
            widget.grid(row=row, column=1, sticky="we", pady=4)
            self.inputs[name] = widget
            error = ttk.Label(frame, style="Error.TLabel", wraplength=260)
            error.grid(row=row, column=2, sticky="w", padx=(8, 0))
            self.errors[name] = error
        self._frame = frame
        self.questions = self._questions(self.form)
        consent = ttk.Checkbutton(frame, text=CONSENT_TEXT, variable=self.consent)
        consent.grid(row=len(ENTRY_FIELDS) + 2, column=1, sticky="w", pady=4)
        self.inputs["marketing_consent"] = consent
        buttons = ttk.Frame(frame)
        buttons.grid(row=len(ENTRY_FIELDS) + 3, column=1, sticky="w", pady=(8, 0))
        ttk.Button(buttons, text="Save (Enter)", command=self.submit).grid(row=0, column=0)
        ttk.Button(buttons, text="Clear (Esc)", command=self.clear).grid(row=0, column=1, padx=8)
        if self.open_settings is not None:
            ttk.Button(buttons, text="Settings… (Ctrl+,)", command=self.open_settings).grid(
                row=0, column=2
            )
            self.root.bind("<Control-comma>", lambda _: self._open_settings())
        ttk.Label(frame, textvariable=self.confirmation, style="Done.TLabel").grid(
            row=len(ENTRY_FIELDS) + 4, column=0, columnspan=3, sticky="w", pady=(8, 0)
        )
        ttk.Separator(frame).grid(row=len(ENTRY_FIELDS) + 5, column=0, columnspan=3, sticky="we")
        # wrapped: a long workbook path must not widen the window past a small screen
        ttk.Label(frame, textvariable=self.status, wraplength=STATUS_WIDTH).grid(
            row=len(ENTRY_FIELDS) + 6, column=0, columnspan=3, sticky="w", pady=(4, 0)
        )
        frame.columnconfigure(1, weight=1)
        self.root.bind("<Return>", self._on_return)
        self.root.bind("<Escape>", lambda _: self.clear())

    def _questions(self, form: FormDefinition) -> QuestionsPanel:
        panel = QuestionsPanel(self._frame, form)
        panel.frame.grid(row=len(ENTRY_FIELDS) + 1, column=0, columnspan=3, sticky="we")
        return panel

    def set_form(self, form: FormDefinition) -> None:
        """Ask the questions of this version of the shop's form (fetched, or cached)."""
        self.form = form
        self.questions.destroy()
        self.questions = self._questions(form)

    def _open_settings(self) -> None:
        if self.open_settings is not None:
            self.open_settings()

    def _input(self, frame: ttk.Frame, name: str) -> tk.Widget:
        if name == "gender":
            return ttk.Combobox(frame, values=list(self.genders), state="readonly", width=30)
        if name == "inquiry_type":
            return ttk.Combobox(frame, values=list(self.types.values()), state="readonly", width=30)
        if name == "message":
            text = tk.Text(frame, height=4, width=40, wrap="word", font="TkDefaultFont")
            text.bind("<Tab>", _focus_next)
            return text
        return ttk.Entry(frame, width=32)

    def _on_return(self, event: tk.Event[Any]) -> str:
        shift = isinstance(event.state, int) and event.state & 0x1
        if event.widget is self.inputs["message"] and shift:  # Shift+Enter: a new line
            return ""
        self.submit()
        return "break"

    # -- behaviour ----------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """What is typed, in the shape the shared rules expect."""
        raw: dict[str, Any] = {}
        for name, widget in self.inputs.items():
            if isinstance(widget, tk.Text):
                raw[name] = widget.get("1.0", "end-1c")
            elif isinstance(widget, ttk.Entry):  # Combobox is an Entry too
                raw[name] = widget.get()
        raw["gender"] = self.genders.get(raw["gender"], raw["gender"])
        by_label = {label: key for key, label in self.types.items()}
        raw["inquiry_type"] = by_label.get(raw["inquiry_type"], raw["inquiry_type"])
        raw["marketing_consent"] = self.consent.get()
        if self.consent.get():
            raw["consent_text"] = CONSENT_TEXT
        if self.form.has_questions:
            raw[ANSWERS] = self.questions.answers()
        return raw

    def submit(self) -> bool:
        """Validate and save; True when the inquiry is safely stored."""
        self._show_errors({})
        try:
            inquiry = validate_inquiry(self.values(), self.types, self.form, country=self.country)
        except InquiryInvalid as invalid:
            self._show_errors(invalid.errors)
            self.confirmation.set("")
            return False
        self.store.save(inquiry, self.form.version)
        self.keeper.refresh()
        if self.syncer is not None:
            self.syncer.wake()
        self.clear()
        self.confirmation.set(f"✓ Saved the inquiry from {inquiry.customer_name}.")
        return True

    def clear(self) -> None:
        for widget in self.inputs.values():
            if isinstance(widget, tk.Text):
                widget.delete("1.0", "end")
            elif isinstance(widget, ttk.Combobox):
                widget.set("")
            elif isinstance(widget, ttk.Entry):
                widget.delete(0, "end")
        entry = self.inputs["location"]
        assert isinstance(entry, ttk.Entry)
        entry.insert(0, self.location)
        self.consent.set(False)
        self.questions.clear()
        self._show_errors({})
        self.refresh_status()
        self.inputs["customer_name"].focus_set()

    def refresh_status(self) -> None:
        line = status_line(
            waiting=self.store.pending_count(),
            refused=self.store.rejected_count(),
            sync=self.syncer.status if self.syncer is not None else None,
            workbook=self.keeper.path,
            workbook_error=self.keeper.last_error,
        )
        self.status.set(line)

    def set_types(self, types: Mapping[str, str]) -> None:
        """Offer the shop's current inquiry types (fetched from the server)."""
        self.types = dict(types)
        combobox = self.inputs["inquiry_type"]
        assert isinstance(combobox, ttk.Combobox)
        combobox.configure(values=list(self.types.values()))

    def _tick(self) -> None:
        self.refresh_status()
        shop = self.syncer.shop if self.syncer is not None else None
        if shop is not None and shop.inquiry_types and shop.inquiry_types != self.types:
            self.set_types(shop.inquiry_types)
            self.keeper.types = dict(shop.inquiry_types)
        if shop is not None and shop.form is not None and shop.form != self.form:
            self.set_form(shop.form)
            self.keeper.form = shop.form
            if self.on_form is not None:
                self.on_form(shop.form)
        if shop is not None and shop.country != self.country:
            self.country = shop.country
            if self.on_country is not None:
                self.on_country(shop.country)
        self._ticking = self.root.after(TICK_MS, self._tick)

    def close(self) -> None:
        """Stop the status updates (before the root window is destroyed)."""
        self.root.after_cancel(self._ticking)

    def _show_errors(self, errors: Mapping[str, str]) -> None:
        for name, label in self.errors.items():
            message = errors.get(name) or (errors.get(CONTACT_FIELD) if name == "phone" else None)
            label.configure(text=f"⚠ {message}" if message else "")
        wrong_answer = self.questions.show_errors(errors)
        first = next((n for n in self.inputs if n in errors), None)
        if first is None and CONTACT_FIELD in errors:
            first = "phone"
        if first is not None:
            self.inputs[first].focus_set()
        elif wrong_answer is not None:
            self.questions.questions[wrong_answer].focus()


def _focus_next(event: tk.Event[Any]) -> str:
    event.widget.tk_focusNext().focus_set()
    return "break"
