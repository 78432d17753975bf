"""CSV and Excel downloads of exactly the filtered inquiries, streamed: memory stays flat.

The rows come from the database a chunk at a time (`queries.stream_selected`). A CSV goes out
chunk by chunk as it is written. An Excel file is a zip that is only readable once complete,
so openpyxl's write-only workbook is written to a temporary file (row by row, not held in
memory) and that file is then sent in pieces. Columns and formats are those of
`inquiries.export`, which `barberbot export` uses; a test compares the two.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import Row

from barberbot.analytics import queries
from barberbot.core.db import Database
from barberbot.dashboard.state import ViewState
from barberbot.dashboard.views import resolve
from barberbot.forms.store import AnswerStore
from barberbot.inquiries import export

EXPORT_PATH = "/dashboard/export"  # + ".csv" or ".xlsx", and the view's query string
KINDS = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"  # as export.to_csv writes times
PIECE = 1 << 16


def filename(kind: str, now: datetime) -> str:
    return f"inquiries-{now:%Y%m%d-%H%M}.{kind}"


def chunks(
    db: Database,
    user_id: int | None,
    state: ViewState,
    kind: str,
    answers: AnswerStore | None = None,
) -> Iterator[bytes]:
    if kind == "csv":
        return csv_chunks(db, user_id, state, answers)
    return xlsx_chunks(db, user_id, state, answers)


def _records(
    db: Database, user_id: int | None, state: ViewState, answers: AnswerStore | None = None
) -> Iterator[list[list[Any]]]:
    """The view's inquiries (only the user's shops), a chunk of export rows at a time; choice
    filters resolved by the answer store (MongoDB: to inquiry ids)."""
    with db.sessions() as session:
        view = resolve(session, user_id, state, answers=answers)
        zones = {shop.id: ZoneInfo(shop.timezone) for shop in view.shops}
        for rows in queries.stream_selected(session, view.selection):
            yield [_record(row, zones[row.shop_id]) for row in rows]


def _record(row: Row[Any], zone: ZoneInfo) -> list[Any]:
    """One inquiry in export.COLUMNS order, times as naive datetimes (UTC and shop time)."""
    consent_at = row.consent_at.replace(tzinfo=None) if row.consent_at else None
    return [
        str(row.id), row.received_at.replace(tzinfo=None),
        row.received_at.astimezone(zone).replace(tzinfo=None), row.customer_name, row.age,
        row.gender, row.inquiry_type, row.phone, row.email, row.message,
        bool(row.marketing_consent), consent_at, row.consent_text, row.source, row.location,
    ]  # fmt: skip


def csv_chunks(
    db: Database, user_id: int | None, state: ViewState, answers: AnswerStore | None = None
) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, formula-like text quoted: what export.to_csv writes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(export.COLUMNS)
    yield buffer.getvalue().encode("utf-8-sig")
    for records in _records(db, user_id, state, answers):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_csv_value(value) for value in record] for record in records)
        yield buffer.getvalue().encode("utf-8")


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    return export._defuse(value)


def xlsx_chunks(
    db: Database, user_id: int | None, state: ViewState, answers: AnswerStore | None = None
) -> Iterator[bytes]:
    with tempfile.TemporaryFile() as file:
        write_xlsx(_records(db, user_id, state, answers), file)
        file.seek(0)
        while piece := file.read(PIECE):
            yield piece


def write_xlsx(chunked: Iterator[list[list[Any]]], file: IO[bytes]) -> None:
    """export.to_xlsx's workbook, written row by row (openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Inquiries")
    for index, column in enumerate(export.COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = export._WIDTHS.get(column, 18)
    sheet.freeze_panes = "A2"
    sheet.append(list(export.COLUMNS))
    for records in chunked:
        for record in records:
            sheet.append([export._cell(sheet, value) for value in record])
    workbook.save(file)
