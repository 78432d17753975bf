from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

WriteXlsx = Callable[..., Path]


@pytest.fixture
def write_xlsx(tmp_path: Path) -> WriteXlsx:
    """An .xlsx file with the given rows on its first sheet (more sheets by keyword)."""

    def write(rows: Sequence[Sequence[Any]], name: str = "sheet.xlsx", **sheets: Any) -> Path:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = "Inquiries"
        for row in rows:
            sheet.append(list(row))
        for title, extra_rows in sheets.items():
            extra = workbook.create_sheet(title)
            for row in extra_rows:
                extra.append(list(row))
        path = tmp_path / name
        workbook.save(path)
        return path

    return write
