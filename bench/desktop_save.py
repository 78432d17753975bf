"""How long the counter's Save takes as the workbook grows: ours against the naive way.

The naive way loads the whole workbook, appends a row and saves it again, so every save costs
more than the one before. Ours writes the crash-safe local store and asks a background thread to
rebuild the workbook. Both are timed at the 1st and the 10,000th inquiry, in the same run.

    .venv/bin/python bench/desktop_save.py [--rows 10000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook, load_workbook

from barberbot.core.choices import DEFAULT_INQUIRY_TYPES
from barberbot.desktop.store import LocalStore
from barberbot.desktop.workbook import COLUMNS, WorkbookKeeper, write_workbook
from barberbot.inquiries.rules import InquiryCreate

TYPES = dict(DEFAULT_INQUIRY_TYPES)


def inquiry(n: int) -> InquiryCreate:
    return InquiryCreate.model_validate(
        {
            "customer_name": f"Zoë Núñez {n}",
            "age": 20 + n % 50,
            "gender": "female",
            "inquiry_type": "haircut",
            "phone": "+44 7700 900123",
            "message": "Saturday morning?",
        }
    )


def median_ms(action: Callable[[int], None], start: int, repeat: int = 5) -> float:
    times = []
    for n in range(start, start + repeat):
        began = time.perf_counter()
        action(n)
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def naive(folder: Path, existing: int) -> float:
    """Median ms of load-append-save once the workbook holds `existing` rows."""
    path = folder / f"naive-{existing}.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([title for title, _, _ in COLUMNS])
    for n in range(existing):
        sheet.append(_row(n))
    workbook.save(path)

    def save(n: int) -> None:
        book = load_workbook(path)
        page = book.active
        assert page is not None
        page.append(_row(n))
        book.save(path)

    return median_ms(save, existing)


def _row(n: int) -> list[object]:
    data = inquiry(n)
    return [None, data.customer_name, data.age, "Female", "Haircut", data.phone, None,
            data.message, "no", None, "no", str(n)]  # fmt: skip


def ours(folder: Path, existing: int) -> tuple[float, float]:
    """(median ms of a Save, ms to rebuild the workbook) at `existing` stored rows."""
    store = LocalStore(folder / f"ours-{existing}.db")
    for n in range(existing):
        store.save(inquiry(n))
    keeper = WorkbookKeeper(folder / f"ours-{existing}.xlsx", store, TYPES)

    def save(n: int) -> None:
        store.save(inquiry(n))
        keeper.refresh()

    saving = median_ms(save, existing)
    keeper.wait_idle(120)
    began = time.perf_counter()
    write_workbook(folder / f"rebuild-{existing}.xlsx", store.all(), TYPES)
    rebuild = (time.perf_counter() - began) * 1000
    keeper.close()
    store.close()
    return saving, rebuild


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        naive_first, naive_last = naive(folder, 0), naive(folder, args.rows - 1)
        (ours_first, rebuild_first), (ours_last, rebuild_last) = (
            ours(folder, 0),
            ours(folder, args.rows - 1),
        )
    print(f"\n{'save of the':<22} {'naive ms':>9} {'ours ms':>8} {'ours vs naive':>14}")
    for label, a, b in (("1st inquiry", naive_first, ours_first),
                        (f"{args.rows:,}th inquiry", naive_last, ours_last)):  # fmt: skip
        print(f"{label:<22} {a:>9.1f} {b:>8.1f} {b / a:>13.3f}x")
    print(f"\nours, 10,000th vs 1st save: {ours_last / ours_first:.2f}x "
          f"(naive: {naive_last / naive_first:.0f}x)")  # fmt: skip
    print(f"background workbook rebuild: {rebuild_first:.0f} ms at 1 row, "
          f"{rebuild_last:.0f} ms at {args.rows:,} rows")  # fmt: skip


if __name__ == "__main__":
    main()
