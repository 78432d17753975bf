"""An uploaded sheet as the import page shows it (the columns matched, the inquiry types the
shop does not have and what becomes of them, a preview, each row's problems), and the import
itself, checked the same way with the new types added for real.

Both flush only: the page's request or the import's thread commits, all or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from barberbot.forms.definition import FormDefinition
from barberbot.forms.store import AnswerStore
from barberbot.imports import type_choices
from barberbot.imports.answers import answer_columns
from barberbot.imports.columns import (
    ANSWER_PREFIX,
    LABELS,
    REQUIRED,
    ColumnsInvalid,
    chosen_columns,
    describe_missing,
)
from barberbot.imports.importer import ImportPlan, Progress, TypeChoices, plan_import, store_plan
from barberbot.imports.reader import Table, read_table
from barberbot.imports.uploads import Upload
from barberbot.models import Shop

PREVIEW_ROWS = 8


class ImportRefused(ValueError):
    """Nothing was imported; the message says why, for the owner."""


@dataclass
class Review:
    table: Table
    choices: dict[int, str]  # column index -> field, answers.<key> or "" (as matched)
    unknown: list[type_choices.UnknownType] = field(default_factory=list)
    types_chosen: dict[str, str] = field(default_factory=dict)  # words -> a key or ADD
    columns_error: str = ""
    plan: ImportPlan | None = None  # None while the columns do not give an inquiry

    @property
    def missing(self) -> str:
        """The fields no column gives, named for the owner ('' if none)."""
        if self.columns_error:
            return ""
        return describe_missing(self.table.columns.missing())

    @property
    def ready(self) -> bool:
        return self.plan is not None and not self.plan.rejected and bool(self.plan.captures)

    def unknown_choices(self) -> list[tuple[type_choices.UnknownType, str]]:
        """Each type the shop does not have, with what becomes of it (a key, or ADD)."""
        return [(u, self.types_chosen[type_choices.words(u.label)]) for u in self.unknown]

    def preview(self) -> list[tuple[int, list[str]]]:
        """The first rows as the sheet has them: (row number, each column's cell as text)."""
        width = len(self.table.headers)
        return [
            (row, [_shown(cells[i] if i < len(cells) else None) for i in range(width)])
            for row, cells in self.table.rows[:PREVIEW_ROWS]
        ]


def column_options(form: FormDefinition) -> list[tuple[str, str]]:
    """What a column can be matched to: (value, what the owner reads)."""
    options = [("", "Not imported")]
    options += [(name, label + (" (needed)" if name in REQUIRED else "")) for name, label in
                LABELS.items()]  # fmt: skip
    options += [(ANSWER_PREFIX + q.key, f"Answer to “{q.label}”") for q in form.asked]
    return options


def read_upload(upload: Upload) -> tuple[Table, str]:
    """The sheet with the owner's column matches; and what is wrong with them ('' if none).
    Raises reader.FileInvalid for a file that is no table."""
    table = read_table(upload.file, lenient=True)
    if upload.columns is None:
        return table, ""
    try:
        return replace(table, columns=chosen_columns(table.headers, upload.columns)), ""
    except ColumnsInvalid as error:
        return table, str(error)


def review(session: Session, upload: Upload, shop: Shop, form: FormDefinition) -> Review:
    """Everything the page shows of the upload; stores nothing (the new types are imagined)."""
    table, columns_error = read_upload(upload)
    result = Review(table, _matched(table, form, upload), columns_error=columns_error)
    if columns_error or table.columns.missing():
        return result
    known = shop.type_labels()
    result.unknown = type_choices.unknown_types(table, known)
    result.types_chosen = chosen_types(result.unknown, upload.types)
    type_map, added = type_choices.planned(result.unknown, result.types_chosen, known)
    result.plan = plan_import(table, shop, form=form, types=TypeChoices(type_map, added))
    return result


def chosen_types(
    unknown: list[type_choices.UnknownType], chosen: Mapping[str, str]
) -> dict[str, str]:
    """The owner's choice per unknown type; adding it, where they made none yet."""
    return {
        type_choices.words(u.label): chosen.get(type_choices.words(u.label))
        or u.similar
        or type_choices.ADD
        for u in unknown
    }


@dataclass(frozen=True)
class Imported:
    added: int  # inquiries new to the shop
    plan: ImportPlan
    new_types: dict[str, str]  # key -> label, the inquiry types added


def import_upload(
    session: Session,
    upload: Upload,
    shop: Shop,
    form: FormDefinition,
    answers: AnswerStore,
    progress: Progress,
) -> Imported:
    """Add the chosen types and store every row, or raise ImportRefused (the caller rolls
    back)."""
    table, columns_error = read_upload(upload)
    if columns_error or table.columns.missing():
        raise ImportRefused(columns_error or f"No column is matched to {_missing(table)}.")
    before = shop.type_labels()
    unknown = type_choices.unknown_types(table, before)
    try:
        type_map = type_choices.apply(session, shop, unknown, chosen_types(unknown, upload.types))
    except type_choices.TypeChoicesInvalid as invalid:
        raise ImportRefused(str(invalid)) from None
    plan = plan_import(table, shop, form=form, types=TypeChoices(type_map), progress=progress)
    if plan.rejected:
        raise ImportRefused(
            f"{len(plan.rejected)} rows have problems, so nothing was imported. "
            "Correct them in the file and upload it again."
        )
    added = store_plan(session, plan, answers=answers, progress=progress)
    new_types = {k: label for k, label in shop.type_labels().items() if k not in before}
    return Imported(added, plan, new_types)


def _missing(table: Table) -> str:
    return describe_missing(table.columns.missing())


def _matched(table: Table, form: FormDefinition, upload: Upload) -> dict[int, str]:
    if upload.columns is not None:
        return dict(upload.columns)
    matched = {index: name for name, index in table.columns.fields.items()}
    for index, question in answer_columns(table.headers, table.columns, form).items():
        matched[index] = ANSWER_PREFIX + question.key
    return matched


def _shown(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return (
            cell.strftime("%d/%m/%Y %H:%M")
            if cell.time() != datetime.min.time()
            else (cell.strftime("%d/%m/%Y"))
        )
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)
