"""The Excel workbook: readable by the owner at any time, never left half-written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from barberbot.core.choices import DEFAULT_INQUIRY_TYPES
from barberbot.desktop.store import LocalStore
from barberbot.desktop.workbook import COLUMNS, WorkbookKeeper, write_workbook
from barberbot.inquiries.rules import InquiryCreate
from tests.factories import inquiry_payload

TYPES = dict(DEFAULT_INQUIRY_TYPES)


def _store(tmp_path: Path, count: int) -> LocalStore:
    store = LocalStore(tmp_path / "counter.db")
    for n in range(count):
        payload = inquiry_payload(customer_name=f"=Customer {n} 💈", inquiry_type="kids_cut")
        store.save(InquiryCreate.model_validate(payload))
    return store


def test_header_rows_real_dates_and_widths(tmp_path: Path) -> None:
    store = _store(tmp_path, 3)
    path = tmp_path / "out" / "inquiries.xlsx"

    write_workbook(path, store.all(), TYPES)

    frame = pd.read_excel(path)
    assert list(frame.columns) == [title for title, _, _ in COLUMNS]
    assert frame["Name"].tolist() == ["=Customer 0 💈", "=Customer 1 💈", "=Customer 2 💈"]
    assert frame["Inquiry type"].tolist() == ["Kids' cut"] * 3
    assert pd.api.types.is_datetime64_any_dtype(frame["Saved at"])
    sheet = load_workbook(path).active
    assert sheet is not None
    assert sheet.column_dimensions["B"].width == 28
    assert sheet.freeze_panes == "A2"


def test_a_failed_write_leaves_the_previous_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path, 2)
    path = tmp_path / "inquiries.xlsx"
    write_workbook(path, store.all(), TYPES)
    before = path.read_bytes()

    real_save = Workbook.save

    def power_cut(self: Workbook, filename: str) -> None:
        real_save(self, filename)
        written = Path(filename).read_bytes()
        Path(filename).write_bytes(written[: len(written) // 2])  # half of it reached the disk
        raise OSError("power cut")

    monkeypatch.setattr(Workbook, "save", power_cut)
    with pytest.raises(OSError, match="power cut"):
        write_workbook(path, store.all(), TYPES)

    assert path.read_bytes() == before
    assert len(pd.read_excel(path)) == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")] == []


def test_the_keeper_catches_up_in_the_background(tmp_path: Path) -> None:
    store = _store(tmp_path, 1)
    keeper = WorkbookKeeper(tmp_path / "inquiries.xlsx", store, TYPES)
    for n in range(20):
        store.save(InquiryCreate.model_validate(inquiry_payload(customer_name=f"Burst {n}")))
        keeper.refresh()

    assert keeper.wait_idle(30)
    keeper.close()

    assert len(pd.read_excel(tmp_path / "inquiries.xlsx")) == 21
