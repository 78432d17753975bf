"""Reading a spreadsheet (.xlsx or .csv) into a header row and numbered data rows."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from barberbot.imports.columns import (
    LABELS,
    ColumnMap,
    ColumnsInvalid,
    describe_missing,
    map_columns,
)

HEADER_SEARCH_ROWS = 20  # a title or a note may sit above the header row
CSV_ENCODINGS = ("utf-8-sig", "cp1252")  # Excel on Windows saves CSV in cp1252


class FileInvalid(ValueError):
    """The file cannot be imported as a whole; the message says why, for the shop owner."""


@dataclass(frozen=True)
class Table:
    """A sheet's data: `rows` are (row number as the spreadsheet shows it, cells)."""

    columns: ColumnMap
    header_row: int
    rows: list[tuple[int, tuple[Any, ...]]]
    sheet: str
    headers: tuple[Any, ...] = ()  # the header row's cells (custom questions are among them)


SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")


def read_table(path: Path, *, lenient: bool = False) -> Table:
    """The sheet's table of inquiries. `lenient` (the browser, where the owner matches the
    columns): the row naming the most fields is the header even if some are missing, and of
    two columns for one field the first is taken."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileInvalid(
            f"{path.name}: import reads Excel (.xlsx) and CSV (.csv) files, "
            f"not {suffix or 'files without an extension'}."
        )
    if path.stat().st_size == 0:
        raise FileInvalid(f"{path.name} is empty.")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, lenient)
    return _find_table(_csv_rows(path), sheet=path.name, lenient=lenient)


def _read_xlsx(path: Path, lenient: bool) -> Table:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise FileInvalid(f"{path.name} cannot be opened as an Excel workbook ({error}).") from None
    try:
        problems = []
        for sheet in _active_first(workbook.worksheets, workbook.active):
            rows = ((n, tuple(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), 1))
            try:
                return _find_table(rows, sheet=sheet.title, lenient=lenient)
            except FileInvalid as problem:
                problems.append(str(problem))
        raise FileInvalid(" ".join(problems) or f"{path.name} has no sheets.")
    finally:
        workbook.close()


def _active_first(sheets: Sequence[Any], active: Any) -> list[Any]:
    return sorted(sheets, key=lambda sheet: sheet is not active)


def _csv_rows(path: Path) -> Iterator[tuple[int, tuple[Any, ...]]]:
    raw = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # cp1252 decodes almost anything; this is for completeness
        raise FileInvalid(f"{path.name} is not a text file in a known encoding.")
    if "\x00" in text:
        raise FileInvalid(f"{path.name} is not a CSV text file.")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            yield number, tuple(row)
    except csv.Error as error:
        raise FileInvalid(f"{path.name} is not well-formed CSV ({error}).") from None


def _find_table(
    rows: Iterator[tuple[int, tuple[Any, ...]]], *, sheet: str, lenient: bool = False
) -> Table:
    """The first row that names the needed columns is the header; data rows follow it."""
    best: tuple[int, ColumnMap] | None = None
    seen: list[tuple[int, tuple[Any, ...]]] = []  # the rows searched, for `lenient`
    for number, cells in rows:
        seen.append((number, cells))
        if _blank(cells):
            continue
        try:
            columns = map_columns(cells, lenient=lenient)
        except ColumnsInvalid as error:
            raise FileInvalid(f"Sheet {sheet!r}, row {number}: {error}") from None
        if not columns.missing():
            data = [(n, c) for n, c in rows if not _blank(c)]
            return Table(columns, number, data, sheet, cells)
        if best is None or len(columns.fields) > len(best[1].fields):
            best = (number, columns)
        if number >= HEADER_SEARCH_ROWS:
            break
    if lenient:
        return _best_table(seen, rows, best, sheet)
    if best is None or len(best[1].fields) < 2:
        raise FileInvalid(
            f"Sheet {sheet!r} is not a table of inquiries: no row of column headers like "
            "Name, Age, Gender, Inquiry type, Phone, E-mail."
        )
    number, columns = best
    found = ", ".join(_header_names(columns)) or "none"
    raise FileInvalid(
        f"Sheet {sheet!r} has no column for {describe_missing(columns.missing())} "
        f"(header row {number}; recognised: {found})."
    )


def _best_table(
    seen: list[tuple[int, tuple[Any, ...]]],
    rest: Iterator[tuple[int, tuple[Any, ...]]],
    best: tuple[int, ColumnMap] | None,
    sheet: str,
) -> Table:
    """The row naming the most fields (or else the first) as the header, whatever is missing."""
    filled = [(n, c) for n, c in seen if not _blank(c)]
    if not filled:
        raise FileInvalid(f"Sheet {sheet!r} is empty: there is no row to import.")
    number = best[0] if best is not None and best[1].fields else filled[0][0]
    header = next(c for n, c in filled if n == number)
    data = [(n, c) for n, c in filled if n > number] + [(n, c) for n, c in rest if not _blank(c)]
    return Table(map_columns(header, lenient=True), number, data, sheet, header)


def _header_names(columns: ColumnMap) -> list[str]:
    return [LABELS[field] for field in columns.fields]


def _blank(cells: tuple[Any, ...]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)
