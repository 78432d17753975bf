"""`barberbot desktop`: start the counter window."""

from __future__ import annotations

import tkinter as tk
from pathlib import Path

from barberbot.desktop.store import LocalStore
from barberbot.desktop.window import InquiryWindow
from barberbot.desktop.workbook import WorkbookKeeper
from barberbot.inquiries.choices import DEFAULT_INQUIRY_TYPES


def run_desktop(data_dir: Path, workbook: Path, location: str) -> None:
    store = LocalStore(data_dir / "counter.db")
    keeper = WorkbookKeeper(workbook, store, dict(DEFAULT_INQUIRY_TYPES))
    keeper.refresh()
    root = tk.Tk()
    InquiryWindow(root, store, keeper, dict(DEFAULT_INQUIRY_TYPES), location=location)
    try:
        root.mainloop()
    finally:
        keeper.close()
        store.close()
