from __future__ import annotations

import gc
import tkinter as tk
from collections.abc import Iterator
from pathlib import Path

import pytest

from barberbot.desktop.store import LocalStore
from barberbot.desktop.window import InquiryWindow
from barberbot.desktop.workbook import WorkbookKeeper
from barberbot.inquiries.choices import DEFAULT_INQUIRY_TYPES
from barberbot.testing.xvfb import VirtualDisplay


@pytest.fixture(scope="session")
def display() -> Iterator[VirtualDisplay]:
    with VirtualDisplay(1024, 768) as display:
        yield display


@pytest.fixture
def counter(display: VirtualDisplay, tmp_path: Path) -> Iterator[InquiryWindow]:
    """The real Tk window on the virtual screen, with its own store and workbook."""
    store = LocalStore(tmp_path / "counter.db")
    keeper = WorkbookKeeper(tmp_path / "inquiries.xlsx", store, dict(DEFAULT_INQUIRY_TYPES))
    root = tk.Tk()
    window = InquiryWindow(root, store, keeper, dict(DEFAULT_INQUIRY_TYPES))
    root.update()
    yield window
    window.close()
    root.destroy()
    gc.collect()  # Tk variables in reference cycles must be freed on this (Tk's) thread
    keeper.close()
    store.close()
