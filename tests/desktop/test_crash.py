"""Kill the running counter app between saves and while saving; every confirmed one survives."""

from __future__ import annotations

import gc
import itertools
import os
import random
import signal
import subprocess
import sys
import threading
import time
import tkinter as tk
from pathlib import Path
from typing import IO

import pandas as pd
from openpyxl import load_workbook

from barberbot.desktop.app import CounterApp
from barberbot.desktop.config import DesktopConfig
from barberbot.desktop.workbook import COLUMNS
from tests.desktop.widgets import fill, press
from tests.support.xvfb import VirtualDisplay

# The real app in a child process, saving through its window's widgets as fast as it can and
# printing each name once the window has confirmed it, as the person at the counter would see.
COUNTER_SAVING_FOREVER = """
import sys, tkinter as tk
from pathlib import Path
from barberbot.desktop.app import CounterApp
from barberbot.desktop.config import DesktopConfig
root = tk.Tk()
app = CounterApp(root, Path(sys.argv[1]), DesktopConfig(), Path(sys.argv[1]) / "desktop.json")
window, n = app.window, 0
while True:
    n += 1
    name = f"Customer {sys.argv[2]}-{n}"
    for field, text in (("customer_name", name), ("age", "41"),
                        ("phone", "+44 7700 900123")):
        window.inputs[field].insert(0, text)
    window.inputs["gender"].set("Male")
    window.inputs["inquiry_type"].set("Haircut")
    root.update()
    if window.submit() and window.confirmation.get().startswith("✓"):
        print(name, flush=True)
    root.update()
"""


def _run_and_kill(
    data_dir: Path, run: int, after_lines: int, *, while_writing_the_workbook: bool = False
) -> list[str]:
    """Start the app, let it confirm some saves, then cut the power to it.

    The app and the child process that rewrites its workbook are killed together (their
    own process group), as a power cut would, so the workbook may be half-written; with
    `while_writing_the_workbook`, the kill waits until it is being written.
    """
    child = subprocess.Popen(
        [sys.executable, "-c", COUNTER_SAVING_FOREVER, str(data_dir), str(run)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
        start_new_session=True,
    )
    assert child.stdout is not None
    confirmed: list[str] = []
    reader = threading.Thread(target=_read_lines, args=(child.stdout, confirmed), daemon=True)
    reader.start()  # the app must never wait for us to read what it printed
    has_rows = False
    deadline = time.monotonic() + 120
    while True:
        assert child.poll() is None, f"the counter app stopped by itself ({child.returncode})"
        assert time.monotonic() < deadline, "the counter app made too little progress"
        if len(confirmed) >= after_lines:
            # Some rows must have reached the workbook before the kill, so it has rows to lose.
            has_rows = has_rows or bool(_names_in(data_dir / "inquiries.xlsx"))
            writing = any(data_dir.glob(".~*"))
            if has_rows and (writing or not while_writing_the_workbook):
                break
        time.sleep(0.002)
    os.killpg(child.pid, signal.SIGKILL)  # mid-save, or between two: whatever it was doing
    child.wait()
    reader.join(10)
    return confirmed


def _read_lines(stream: IO[str], into: list[str]) -> None:
    for line in stream:
        if line.strip():
            into.append(line.strip())


def _names_in(path: Path) -> list[str]:
    """The names in the workbook, read with openpyxl (none if there is no workbook yet)."""
    if not path.exists():
        return []
    workbook = load_workbook(path, read_only=True)
    try:
        header, *rows = workbook["Inquiries"].iter_rows(values_only=True)
    finally:
        workbook.close()
    assert list(header) == [title for title, _, _ in COLUMNS]
    return [str(row[1]) for row in rows]


def _open_workbook_as_left(path: Path) -> list[str]:
    """Open the workbook exactly as the crash left it, with openpyxl and pandas; its names."""
    names = _names_in(path)
    frame = pd.read_excel(path, sheet_name="Inquiries")
    assert frame["Name"].tolist() == names
    assert pd.api.types.is_datetime64_any_dtype(frame["Saved at"])  # real dates
    return names


def test_every_confirmed_inquiry_survives_kills_and_the_workbook_opens(
    display: VirtualDisplay, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    workbook = data_dir / "inquiries.xlsx"
    confirmed: list[str] = []
    left_after_each_kill: list[list[str]] = []
    for run in range(3):
        confirmed += _run_and_kill(
            data_dir, run, random.randint(20, 60), while_writing_the_workbook=run == 2
        )
        left_after_each_kill.append(_open_workbook_as_left(workbook))  # before any restart

    # The restart: the real app, as `barberbot desktop` builds it, on the same data folder.
    root = tk.Tk()
    app = CounterApp(root, data_dir, DesktopConfig(), data_dir / "desktop.json")
    try:
        root.update()
        kept = [s.data["customer_name"] for s in app.store.all()]
        status_at_start = app.window.status.get()
        assert app.keeper.wait_idle(60)  # it brings the workbook up to date by itself
        refreshed = pd.read_excel(workbook)["Name"].tolist()
        fill(app.window)
        press(app.window, "<Return>")  # and it keeps working
        confirmation = app.window.confirmation.get()
    finally:
        app.quit()
        gc.collect()  # Tk variables in reference cycles must be freed on this (Tk's) thread

    assert set(confirmed) <= set(kept)
    assert len(kept) == len(set(kept))  # and nothing twice
    assert f"{len(kept)} inquiries waiting to sync" in status_at_start
    for before, after in itertools.pairwise(left_after_each_kill):
        assert after[: len(before)] == before  # a kill never took rows out of the workbook
    for left in left_after_each_kill:
        assert left == kept[: len(left)]  # only saved rows, in order, each once
    assert refreshed == kept
    assert confirmation == "✓ Saved the inquiry from Zoë Núñez."
    assert pd.read_excel(workbook)["Name"].tolist() == [*kept, "Zoë Núñez"]
    assert not list(data_dir.glob(".~*"))  # no half-written workbook left behind
