"""The counter's settings dialog: where to sync, this counter's location, the workbook."""

from __future__ import annotations

import queue
import threading
import tkinter as tk
from collections.abc import Callable
from tkinter import filedialog, ttk

from barberbot.desktop.config import ConfigInvalid, DesktopConfig, parse_config
from barberbot.desktop.sync import ServerClient, ShopInfo, SyncFailed, TokenRefused

FIELDS = (
    ("server_url", "Server address", "e.g. https://barberbot.example.com"),
    ("shop", "Shop", "the shop's short name in its web address, e.g. kings-cuts"),
    (
        "api_token",
        "API token",
        "make one in BarberBot in your browser: Account → API tokens → Make token",
    ),
    ("location", "This counter", "recorded with every inquiry, e.g. high-street"),
    ("workbook", "Excel workbook", "empty: inquiries.xlsx in the data folder"),
)
POLL_MS = 100


class SettingsDialog:
    """A modal window; Save checks the values, keeps them and hands them to `on_save`."""

    def __init__(
        self, root: tk.Misc, config: DesktopConfig, on_save: Callable[[DesktopConfig], None]
    ) -> None:
        self.config = config
        self.on_save = on_save
        self.top = tk.Toplevel(root)
        self.top.title("BarberBot — settings")
        self.top.transient(root.winfo_toplevel())
        self.entries: dict[str, ttk.Entry] = {}
        self.errors: dict[str, ttk.Label] = {}
        self.result = tk.StringVar()
        self._answers: queue.Queue[ShopInfo | str] = queue.Queue()
        self._fetched: ShopInfo | None = None
        self._build()
        self.top.bind("<Return>", lambda _: self.save())
        self.top.bind("<Escape>", lambda _: self.top.destroy())
        self.entries["server_url"].focus_set()

    def _build(self) -> None:
        frame = ttk.Frame(self.top, padding=16)
        frame.grid(sticky="nsew")
        for row, (name, label, hint) in enumerate(FIELDS):
            ttk.Label(frame, text=label).grid(row=2 * row, column=0, sticky="w", padx=(0, 8))
            entry = ttk.Entry(frame, width=44, show="•" if name == "api_token" else "")
            entry.insert(0, str(getattr(self.config, name)))
            entry.grid(row=2 * row, column=1, sticky="we", pady=(6, 0))
            self.entries[name] = entry
            error = ttk.Label(frame, style="Error.TLabel", wraplength=300)
            error.grid(row=2 * row, column=2, sticky="w", padx=(8, 0))
            self.errors[name] = error
            ttk.Label(frame, text=hint, foreground="#555").grid(
                row=2 * row + 1, column=1, sticky="w"
            )
        ttk.Button(frame, text="Browse…", command=self._browse_workbook).grid(
            row=2 * len(FIELDS) - 2, column=2, sticky="w", padx=(8, 0)
        )
        buttons = ttk.Frame(frame)
        buttons.grid(row=2 * len(FIELDS), column=1, sticky="w", pady=(12, 0))
        ttk.Button(buttons, text="Test connection", command=self.test_connection).grid(
            row=0, column=0
        )
        ttk.Button(buttons, text="Save (Enter)", command=self.save).grid(row=0, column=1, padx=8)
        ttk.Button(buttons, text="Cancel (Esc)", command=self.top.destroy).grid(row=0, column=2)
        ttk.Label(frame, textvariable=self.result, wraplength=480).grid(
            row=2 * len(FIELDS) + 1, column=0, columnspan=3, sticky="w", pady=(8, 0)
        )

    def _browse_workbook(self) -> None:
        chosen = filedialog.asksaveasfilename(
            parent=self.top, defaultextension=".xlsx", filetypes=[("Excel workbook", "*.xlsx")]
        )
        if chosen:
            self.entries["workbook"].delete(0, "end")
            self.entries["workbook"].insert(0, chosen)

    def values(self) -> DesktopConfig:
        """The typed settings, checked; raises ConfigInvalid with a message per field."""
        raw: dict[str, object] = {name: entry.get() for name, entry in self.entries.items()}
        fetched = self._fetched.inquiry_types if self._fetched else None
        raw["inquiry_types"] = fetched or self.config.inquiry_types
        raw["form"] = self.config.form
        raw["country"] = self._fetched.country if self._fetched else self.config.country
        return parse_config(raw)

    def save(self) -> bool:
        try:
            config = self.values()
        except ConfigInvalid as invalid:
            self._show_errors(invalid.errors)
            return False
        self.on_save(config)
        self.top.destroy()
        return True

    def test_connection(self) -> None:
        """Ask the server for the shop, in a thread: the window stays responsive."""
        try:
            config = self.values()
        except ConfigInvalid as invalid:
            self._show_errors(invalid.errors)
            return
        if not config.syncs:
            self._show_errors({"server_url": "Enter the server, the shop and a token first."})
            return
        self._show_errors({})
        self.result.set("Connecting…")
        # The thread gets no reference to the dialog: Tk objects must die on Tk's thread.
        threading.Thread(target=_fetch_shop, args=(config, self._answers), daemon=True).start()
        self.top.after(POLL_MS, self._poll)

    def _poll(self) -> None:
        if not self.top.winfo_exists():
            return
        try:
            answer = self._answers.get_nowait()
        except queue.Empty:
            self.top.after(POLL_MS, self._poll)
            return
        if isinstance(answer, ShopInfo):
            self._fetched = answer
            count = len(answer.inquiry_types)
            self.result.set(f"✓ Connected to {answer.name}: {count} inquiry types.")
        else:
            self.result.set(f"⚠ {answer}")

    def _show_errors(self, errors: dict[str, str]) -> None:
        for name, label in self.errors.items():
            message = errors.get(name)
            label.configure(text=f"⚠ {message}" if message else "")
        if "file" in errors:
            self.result.set(f"⚠ {errors['file']}")


def _fetch_shop(config: DesktopConfig, answers: queue.Queue[ShopInfo | str]) -> None:
    client = ServerClient(config, timeout=10)
    try:
        answers.put(client.shop_info())
    except TokenRefused as refused:  # in the dialog, where the new token goes
        answers.put(refused.reason)
    except SyncFailed as failure:
        answers.put(str(failure))
    finally:
        client.close()
