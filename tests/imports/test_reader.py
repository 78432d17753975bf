"""Reading .xlsx and .csv files into a table, or saying clearly why not."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from barberbot.imports.reader import FileInvalid, read_table
from tests.imports.conftest import WriteXlsx

HEADER = ["Name", "Age", "Gender", "Inquiry type", "Phone"]


def test_a_title_above_the_header_and_blank_rows_are_skipped(write_xlsx: WriteXlsx) -> None:
    path = write_xlsx(
        [
            ["King's Cuts — inquiries 2026"],
            [],
            HEADER,
            ["Ana Lima", 31, "female", "Haircut", "+44 7700 900111"],
            [None, None, None, None, None],
            ["Bo Chen", "45", "male", "shave", 447700900222],
        ]
    )

    table = read_table(path)

    assert table.header_row == 3
    assert [row for row, _ in table.rows] == [4, 6]
    assert table.rows[1][1][4] == 447700900222
    assert table.sheet == "Inquiries"


def test_csv_in_any_delimiter_and_windows_encoding(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        "name;AGE;gender;type;e-mail\nRenée;29;F;Haircut;renee@example.com\n".encode("cp1252")
    )

    table = read_table(path)

    assert table.rows == [(2, ("Renée", "29", "F", "Haircut", "renee@example.com"))]


def test_the_sheet_that_is_a_table_is_found(write_xlsx: WriteXlsx) -> None:
    path = write_xlsx(
        [["Notes for staff"], ["Be nice"]], Data=[HEADER, ["Ana", 3, "f", "Haircut", "0123456789"]]
    )

    assert read_table(path).sheet == "Data"


def test_a_sheet_that_is_not_a_table_is_refused(write_xlsx: WriteXlsx) -> None:
    path = write_xlsx([["Opening hours"], ["Mon", "9-5"], [datetime(2026, 1, 1), "closed"]])

    with pytest.raises(FileInvalid, match="'Inquiries' is not a table of inquiries"):
        read_table(path)


def test_missing_required_columns_are_named(write_xlsx: WriteXlsx) -> None:
    path = write_xlsx([["Name", "Phone", "Notes"], ["Ana", "0123456789", "hi"]])

    with pytest.raises(FileInvalid) as caught:
        read_table(path)

    assert str(caught.value) == (
        "Sheet 'Inquiries' has no column for Age, Gender, Inquiry type "
        "(header row 1; recognised: Name, Phone, Message)."
    )


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "inquiries.xlsx"
    path.write_text("Name,Age\nAna,3\n")

    with pytest.raises(FileInvalid, match="cannot be opened as an Excel workbook"):
        read_table(path)


def test_other_file_types_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "inquiries.pdf"
    path.write_bytes(b"%PDF-1.4")

    with pytest.raises(
        FileInvalid, match=r"reads Excel \(\.xlsx\) and CSV \(\.csv\) files, not \.pdf"
    ):
        read_table(path)
