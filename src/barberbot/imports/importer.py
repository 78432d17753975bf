"""Checking every row of a table against the shared rules, then storing the lot at once.

Each row's inquiry id comes from the row itself (its Id column, as in the desktop workbook,
or else a hash of the shop and the row's content), so importing the same file again finds
every row already stored and adds nothing.

Columns answering the shop's own questions (imports/answers.py) become each row's custom
answers, checked with the same rules against the shop's current form; a bad answer rejects
its row like a bad standard field. Their documents are saved in the import's transaction,
before it commits (MongoDB first, then the rows: see forms/store.py), idempotently.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from barberbot.forms.answers import ANSWERS
from barberbot.forms.definition import NO_FORM, FormDefinition
from barberbot.forms.schemas import FormField
from barberbot.forms.store import AnswerStore, SqlAnswerStore
from barberbot.imports.answers import answer_columns, cell_answer
from barberbot.imports.columns import LABELS
from barberbot.imports.phones import country_note
from barberbot.imports.reader import Table
from barberbot.imports.type_choices import words
from barberbot.inquiries import writer
from barberbot.inquiries.capture import Capture, prepare
from barberbot.inquiries.rules import CONTACT_FIELD, InquiryCreate, InquiryInvalid, validate_inquiry
from barberbot.inquiries.writer import Written
from barberbot.models import Shop, Source
from barberbot.models.base import utcnow
from barberbot.shops import inquiry_types

# Row ids are uuid5 names in this namespace: the same shop and row give the same id.
ROW_NAMESPACE = uuid.UUID("6f1d3c52-2b8e-4d0a-9a57-3f0c4a6e8b21")
IMPORTED_CONSENT_TEXT = "Consent as recorded in the shop's own records (imported)."
DATE_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")
CHUNK = 500

Progress = Callable[[int], None]


def _no_progress(_: int) -> None:
    return None


@dataclass(frozen=True)
class RowRejected:
    row: int
    errors: dict[str, str]
    questions: Mapping[str, str] = field(default_factory=dict)  # answers.<key> -> label

    @property
    def problems(self) -> str:
        """'Age: Age must be a whole number, like 34.; Phone: …'"""
        return "; ".join(
            f"{self.questions.get(name) or _label(name)}: {message}"
            for name, message in self.errors.items()
        )

    def describe(self) -> str:
        return f"row {self.row}: {self.problems}"


@dataclass(frozen=True)
class RowNote:
    """Something the owner should know about a row that is imported all the same."""

    row: int
    note: str

    def describe(self) -> str:
        return f"row {self.row}: {self.note}"


@dataclass
class ImportPlan:
    """What importing the table would store, and what it refuses, before anything is stored."""

    table: Table
    captures: list[Capture] = field(default_factory=list)  # the inquiries, with their answers
    rejected: list[RowRejected] = field(default_factory=list)
    repeats: dict[int, int] = field(default_factory=dict)  # row -> the earlier row it repeats
    answer_headers: list[str] = field(default_factory=list)  # columns imported as answers
    notes: list[RowNote] = field(default_factory=list)  # numbers of another country's
    undated: int = 0  # rows without a date: dated when imported


@dataclass(frozen=True)
class TypeChoices:
    """The sheet's inquiry type names read as the shop's types (imports/type_choices.py)."""

    type_map: Mapping[str, str] = field(default_factory=dict)  # the sheet's words -> a key
    added: Mapping[str, str] = field(default_factory=dict)  # key -> label, types to be added


def plan_import(
    table: Table,
    shop: Shop,
    *,
    form: FormDefinition = NO_FORM,
    now: datetime | None = None,
    progress: Progress = _no_progress,
    types: TypeChoices = TypeChoices(),
) -> ImportPlan:
    """Check every row (custom answers against `form`, the shop's current one); store nothing.

    Rows without a date are dated `now` (their ids do not depend on it, so importing them
    again still adds nothing)."""
    now = now or utcnow()
    plan = ImportPlan(table)
    questions = _questions(table, form)
    plan.answer_headers = [str(table.headers[index]).strip() for index in sorted(questions)]
    labels = {f"{ANSWERS}.{f.key}": f.label for f in form.asked}
    check = _RowCheck(shop, now, form, types, inquiry_types.offered(shop) | dict(types.added))
    first_row_of: dict[uuid.UUID, int] = {}
    for row, cells in table.rows:
        values = _row_values(table, cells)
        try:
            inquiry_id, received_at, data = check(values, _row_answers(questions, cells))
        except InquiryInvalid as invalid:
            plan.rejected.append(RowRejected(row, invalid.errors, labels))
            progress(1)
            continue
        if not _given(values.get("received_at")):
            plan.undated += 1
        note = _phone_note(values.get("phone"), data, shop)
        if note:
            plan.notes.append(RowNote(row, note))
        if inquiry_id in first_row_of:
            plan.repeats[row] = first_row_of[inquiry_id]
        else:
            first_row_of[inquiry_id] = row
            plan.captures.append(
                prepare(
                    shop,
                    data,
                    source=Source.IMPORT,
                    form_version=form.version,
                    inquiry_id=inquiry_id,
                    received_at=received_at,
                )
            )
        progress(1)
    return plan


def undated_note(plan: ImportPlan) -> str:
    """What the rows without a date are dated, in the owner's words."""
    if "received_at" not in plan.table.columns.fields:
        return (
            "No date column: every inquiry is dated at the time of the import. "
            "Importing the file again still adds nothing."
        )
    rows = "1 row has" if plan.undated == 1 else f"{plan.undated} rows have"
    return f"{rows} no date: dated at the time of the import."


def store_plan(
    session: Session,
    plan: ImportPlan,
    *,
    answers: AnswerStore | None = None,
    progress: Progress = _no_progress,
) -> int:
    """Store the planned inquiries not stored yet, through the one writer; returns how many
    were new. Caller commits (with MongoDB, each chunk's documents are written first)."""
    store = answers or SqlAnswerStore()
    added = 0
    for start in range(0, len(plan.captures), CHUNK):
        chunk = plan.captures[start : start + CHUNK]
        outcomes = writer.write(session, chunk, store)
        added += sum(isinstance(o, Written) and not o.replayed for o in outcomes)
        progress(len(chunk))
    return added


def _row_answers(questions: Mapping[int, FormField], cells: tuple[Any, ...]) -> dict[str, Any]:
    return {
        question.key: cell_answer(question, cells[index] if index < len(cells) else None)
        for index, question in questions.items()
    }


def _row_values(table: Table, cells: tuple[Any, ...]) -> dict[str, Any]:
    return {
        name: cells[index] if index < len(cells) else None
        for name, index in table.columns.fields.items()
    }


def _questions(table: Table, form: FormDefinition) -> dict[int, FormField]:
    """The columns of answers: as the owner matched them, else found by their headers."""
    chosen = table.columns.answers
    if chosen is None:
        return answer_columns(table.headers, table.columns, form)
    asked = {question.key: question for question in form.asked}
    return {index: asked[key] for index, key in chosen.items() if key in asked}


@dataclass(frozen=True)
class _RowCheck:
    """One row's check: its id, its date and its inquiry as the rules validate it."""

    shop: Shop
    now: datetime
    form: FormDefinition
    types: TypeChoices
    known: Mapping[str, str]  # the shop's types, and those the choices add

    def __call__(
        self, values: Mapping[str, Any], answers: dict[str, Any]
    ) -> tuple[uuid.UUID, datetime, InquiryCreate]:
        shop = self.shop
        errors: dict[str, str] = {}
        raw = {k: _cell_text(k, v) for k, v in values.items() if k not in ("id", "received_at")}
        if str(raw.get("marketing_consent") or "").strip():
            raw["consent_text"] = IMPORTED_CONSENT_TEXT
        if answers:
            raw[ANSWERS] = answers
        if isinstance(raw.get("inquiry_type"), str) and self.types.type_map:
            raw["inquiry_type"] = self.types.type_map.get(
                words(raw["inquiry_type"]), raw["inquiry_type"]
            )
        data = None
        try:
            data = validate_inquiry(raw, self.known, self.form, country=shop.country)
            if not data.marketing_consent:
                data = data.model_copy(update={"consent_text": None})
        except InquiryInvalid as invalid:
            errors.update(invalid.errors)
        received_at: datetime | None = None
        try:
            received_at = _received_at(values.get("received_at"), ZoneInfo(shop.timezone), self.now)
        except ValueError as error:
            errors["received_at"] = str(error)
        inquiry_id = None
        try:
            inquiry_id = _given_id(values.get("id"))
        except ValueError as error:
            errors["id"] = str(error)
        if errors or data is None:
            raise InquiryInvalid(errors)
        if inquiry_id is None:
            stamp = received_at.isoformat() if received_at else ""
            inquiry_id = uuid.uuid5(ROW_NAMESPACE, f"{shop.slug}|{_content(data)}|{stamp}")
        return inquiry_id, received_at or self.now, data


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _phone_note(written: Any, data: InquiryCreate, shop: Shop) -> str | None:
    if not data.phone or written is None:
        return None
    return country_note(str(_cell_text("phone", written)), data.phone, shop.country)


def _content(data: InquiryCreate) -> str:
    """A row's content, digested exactly as since the first import (so importing a file
    again finds its rows whatever BarberBot version stored them)."""
    fields = data.model_dump(mode="json", exclude=None if data.answers else {ANSWERS})
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _cell_text(name: str, value: Any) -> Any:
    """Spreadsheet cells as the rules expect them: 34.0 is 34, a phone number is text."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if name == "phone" and isinstance(value, int):
        return str(value)
    if isinstance(value, (datetime, date)) and name != "age":
        return value.isoformat()
    return value


def _received_at(value: Any, zone: ZoneInfo, now: datetime) -> datetime | None:
    """A date from the sheet, in the shop's time zone unless it says otherwise, as UTC."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    when = _parse_when(value)
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    when = when.astimezone(UTC)
    if when > now + timedelta(days=1):
        raise ValueError(f"{value} is in the future.")
    return when


def _parse_when(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date; write it like 2026-11-24 14:30 or 24/11/2026.")


def _given_id(value: Any) -> uuid.UUID | None:
    if value is None or not str(value).strip():
        return None
    try:
        return uuid.UUID(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an inquiry id; leave the Id column empty.") from None


def _label(name: str) -> str:
    if name == CONTACT_FIELD:
        return "Phone or E-mail"
    return LABELS.get(name, name)
