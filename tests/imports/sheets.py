"""A file as another booking system exports it: its own headings, inquiry types the shop does
not have, genders such as `Other`, numbers of other countries, and no dates. Written as CSV and
as Excel (openpyxl) by the import tests, in the terminal and in the browser."""

# ruff: noqa: E501 (a table of rows reads best one row a line)

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import Workbook

HEADINGS = ["Client Name", "Age", "Sex", "Enquiry Type", "Mobile", "Email Address", "Notes",
            "Opt In", "Stylist"]  # fmt: skip
NEW_TYPES = [
    "Beard Trim Inquiry", "Discount Query", "Gift Voucher", "Wedding Party Booking",
    "Loyalty Card", "Hot Towel Shave Enquiry", "Complaint", "Product Question",
    "Student Discount", "Home Visit Request",
]  # fmt: skip
ROWS: list[list[Any]] = [
    ["Ana Lima", 31, "Female", "Beard Trim Inquiry", "07700 900101", "", "For my partner", "yes", "Sam"],
    ["Bo Chen", 45, "Other", "Discount Query", "+49 176 12345678", "bo@example.com", "", "no", "Sam"],
    ["Cai Jones", 19, "other", "Gift Voucher", "", "cai@example.com", "", "", "Jo"],
    ["Dee Patel", 27, "Non-binary", "Wedding Party Booking", "+33 6 12 34 56 78", "", "Six of us", "yes", "Jo"],
    ["Eli Novak", 52, "M", "loyalty card", "07700 900105", "", "", "no", "Sam"],
    ["Fay Obi", 38, "Other / self-described", "Hot Towel Shave Enquiry", "07700 900106", "", "", "", ""],
    ["Gus Brandt", 61, "male", "Complaint", "06 12 34 56 79", "gus@example.com", "", "no", "Jo"],
    ["Hana Sato", 24, "Prefer not to say", "Product Question", "", "hana@example.com", "Which wax?", "yes", ""],
    ["Ivo Rossi", 21, "Male", "Student Discount", "+39 312 345 6789", "", "", "no", "Sam"],
    ["Jo Kim", 70, "Female", "Home Visit Request", "07700 900110", "", "Cannot get out", "no", "Jo"],
    ["Kit Lowe", 33, "self-described", "Haircut", "07700 900111", "", "", "yes", "Sam"],
    ["Lou Baker", 29, "Female", "Beard Trim Inquiry", "07700 900112", "", "", "no", "Jo"],
]  # fmt: skip
OTHER_GENDERS = 4  # Other, other, Other / self-described, self-described
FOREIGN = ["+49 176 12345678", "+33 6 12 34 56 78", "+39 312 345 6789"]


def write_csv(path: Path, rows: list[list[Any]] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([HEADINGS, *(ROWS if rows is None else rows)])
    return path


def write_xlsx(path: Path) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Export"
    for row in [HEADINGS, *ROWS]:
        sheet.append(row)
    workbook.save(path)
    return path
