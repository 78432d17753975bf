"""Kill the running counter app between saves and while saving; every confirmed one survives."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd

from barberbot.desktop.store import LocalStore
from barberbot.desktop.workbook import WorkbookKeeper
from barberbot.inquiries.choices import DEFAULT_INQUIRY_TYPES
from barberbot.testing.xvfb import VirtualDisplay

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


def _run_and_kill(data_dir: Path, run: int, after_lines: int) -> list[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", COUNTER_SAVING_FOREVER, str(data_dir), str(run)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    assert child.stdout is not None
    confirmed = [child.stdout.readline().strip() for _ in range(after_lines)]
    child.send_signal(signal.SIGKILL)  # mid-save, or between two: whatever it was doing
    child.wait()
    confirmed += [line.strip() for line in child.stdout if line.strip()]  # already printed
    return confirmed


def test_every_confirmed_inquiry_survives_kills_and_the_workbook_opens(
    display: VirtualDisplay, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    confirmed: list[str] = []
    for run in range(3):
        confirmed += _run_and_kill(data_dir, run, after_lines=random.randint(20, 60))

    store = LocalStore(data_dir / "counter.db")  # the restart
    keeper = WorkbookKeeper(data_dir / "inquiries.xlsx", store, dict(DEFAULT_INQUIRY_TYPES))
    keeper.refresh()
    assert keeper.wait_idle(60)
    keeper.close()
    kept = [s.data["customer_name"] for s in store.all()]
    store.close()

    assert set(confirmed) <= set(kept)
    assert len(kept) == len(set(kept))  # and nothing twice
    workbook = pd.read_excel(data_dir / "inquiries.xlsx")
    assert workbook["Name"].tolist() == kept
    assert not list(data_dir.glob(".~*"))  # no half-written workbook left behind
