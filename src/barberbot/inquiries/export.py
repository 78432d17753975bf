"""CSV and Excel exports of a shop's inquiries, for offline work.

Custom answers follow the standard columns, one column per question of the shop's form, as
`answers.<key>`: current questions in order, then retired ones, whose earlier answers stay.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from barberbot.forms.answers import readable
from barberbot.forms.definition import NO_FORM, FormDefinition
from barberbot.forms.store import AnswerDocument
from barberbot.models import Inquiry, Shop

COLUMNS = (
    "id",
    "received_at_utc",
    "received_at_local",
    "customer_name",
    "age",
    "gender",
    "inquiry_type",
    "phone",
    "email",
    "message",
    "marketing_consent",
    "consent_at_utc",
    "consent_text",
    "source",
    "location",
)
# Cells starting with these are formulas to Excel and LibreOffice (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_WIDTHS = {"id": 38, "message": 60, "consent_text": 60, "customer_name": 28, "email": 30}


def to_frame(
    shop: Shop,
    inquiries: Sequence[Inquiry],
    form: FormDefinition = NO_FORM,
    answers: Mapping[uuid.UUID, AnswerDocument] | None = None,
) -> pd.DataFrame:
    """One row per inquiry; times as naive datetimes (UTC, and the shop's local time)."""
    zone = ZoneInfo(shop.timezone)
    frame = _standard_frame(zone, inquiries)
    if not form.fields:
        return frame
    documents = answers or {}
    keys = [f.key for f in (*form.asked, *form.retired)]
    for key in keys:
        cells = [_answer(documents.get(inquiry.id), key) for inquiry in inquiries]
        frame[answer_column(key)] = pd.Series(cells, index=frame.index, dtype=object)
    return frame


def answer_column(key: str) -> str:
    return f"answers.{key}"


def _answer(document: AnswerDocument | None, key: str) -> object:
    if document is None or key not in document.answers:
        return None
    return readable(document.answers[key])


def _standard_frame(zone: ZoneInfo, inquiries: Sequence[Inquiry]) -> pd.DataFrame:
    rows = [
        {
            "id": str(i.id),
            "received_at_utc": i.received_at.replace(tzinfo=None),
            "received_at_local": i.received_at.astimezone(zone).replace(tzinfo=None),
            "customer_name": i.customer_name,
            "age": i.age,
            "gender": i.gender,
            "inquiry_type": i.inquiry_type,
            "phone": i.phone,
            "email": i.email,
            "message": i.message,
            "marketing_consent": i.marketing_consent,
            "consent_at_utc": i.consent_at.replace(tzinfo=None) if i.consent_at else None,
            "consent_text": i.consent_text,
            "source": i.source,
            "location": i.location,
        }
        for i in inquiries
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _defuse(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark so Excel reads accents; formula-like text is quoted."""
    safe = frame.copy()
    for column in safe.select_dtypes(include=["object", "string"]).columns:
        safe[column] = safe[column].map(_defuse)
    return safe.to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S.%f").encode("utf-8-sig")


def to_xlsx(frame: pd.DataFrame, title: str = "Inquiries") -> bytes:
    """A workbook with real dates, fitted column widths and text that never runs as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, column in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS.get(column, 18)
    sheet.freeze_panes = "A2"
    sheet.append(list(frame.columns))
    for record in frame.itertuples(index=False):
        sheet.append([_cell(sheet, value) for value in record])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet: object, value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
    if isinstance(value, str):
        cell.data_type = "s"  # keeps "=..." as text instead of a formula
    elif hasattr(value, "hour"):
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
    return cell
