"""The owner's form editor: add, reorder, change and retire questions, with a live preview.

Plain form posts do everything (every button saves a new version); a small script only
updates the preview while the owner types.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.core.deps import SessionDep
from barberbot.forms import service as forms
from barberbot.forms.definition import FormDefinition
from barberbot.forms.schemas import FieldType, FormField, FormUpdate
from barberbot.inquiries.rules import field_errors
from barberbot.models import Role, Shop, User
from barberbot.shops.deps import MemberShop
from barberbot.web.csrf import check_csrf
from barberbot.web.owner import owner_page

router = APIRouter(include_in_schema=False)
_ROW = re.compile(r"^rows-(\d+)-(\w+)$")
_ATTRIBUTES = ("key", "label", "help_text", "type", "required", "options", "min", "max")


def _owner_only(user: User, shop: Shop) -> None:
    if auth.role_in(user, shop) != Role.OWNER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only the shop's owners can edit its form.")


def row_of(field: FormField) -> dict[str, Any]:
    """A question as the editor's inputs show it."""
    return {
        "key": field.key,
        "label": field.label,
        "help_text": field.help_text,
        "type": field.type.value,
        "required": field.required,
        "options": "\n".join(field.options),
        "min": "" if field.min is None else _plain(field.min),
        "max": "" if field.max is None else _plain(field.max),
        "is_new": False,
    }


def _plain(number: float) -> str:
    return str(int(number)) if number.is_integer() else str(number)


NEW_ROW: dict[str, Any] = {
    "key": "",
    "label": "",
    "help_text": "",
    "type": FieldType.SHORT_TEXT.value,
    "required": False,
    "options": "",
    "min": "",
    "max": "",
    "is_new": True,
}


def _render(
    request: Request,
    user: User,
    shop: Shop,
    form: FormDefinition,
    rows: list[dict[str, Any]],
    *,
    errors: dict[str, str] | None = None,
    saved: int | None = None,
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    if not any(row["is_new"] for row in rows):
        rows = [*rows, dict(NEW_ROW)]
    response = owner_page(
        request,
        user,
        "form_editor.html",
        {
            "shop": shop,
            "form": form,
            "rows": rows,
            "errors": errors or {},
            "saved": saved,
            "types": list(FieldType),
        },
    )
    response.status_code = status_code
    return response


@router.get("/shops/{slug}/form", response_class=HTMLResponse, name="form_editor")
def form_editor(
    request: Request,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    saved: int | None = None,
) -> HTMLResponse:
    _owner_only(user, shop)
    form = forms.current(session, shop)
    return _render(request, user, shop, form, [row_of(f) for f in form.asked], saved=saved)


async def posted_rows(request: Request) -> list[dict[str, Any]]:
    """The editor's rows as posted (`rows-<n>-<attribute>`), in their order."""
    posted = await request.form()
    rows: dict[int, dict[str, Any]] = {}
    for name, value in posted.multi_items():
        match = _ROW.match(name)
        if match is None or match[2] not in (*_ATTRIBUTES, "is_new") or not isinstance(value, str):
            continue
        rows.setdefault(int(match[1]), {})[match[2]] = value
    return [
        {**NEW_ROW, **row, "required": row.get("required") == "on", "is_new": "is_new" in row}
        for _, row in sorted(rows.items())
    ]


PostedRows = Annotated[list[dict[str, Any]], Depends(posted_rows)]


@router.post("/shops/{slug}/form", name="save_form")
def save_form(
    request: Request,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    rows: PostedRows,
    csrf: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "save",
) -> Response:
    check_csrf(request, csrf)
    _owner_only(user, shop)
    form = forms.current(session, shop)
    rows = [row for row in rows if not (row["is_new"] and not row["label"].strip())]
    rows = _apply(action, rows, form)
    taken = {f.key for f in form.fields}
    try:
        update = FormUpdate.model_validate({"fields": [_field_input(r, taken) for r in rows]})
        saved = forms.save(session, shop, update, by=user)
    except ValidationError as invalid:
        errors = _row_errors(field_errors(invalid.errors()))
    except forms.FormInvalid as invalid:
        errors = _row_errors(invalid.errors)
    else:
        session.commit()
        request.app.state.shop_cache.forget(shop.slug)
        target = request.url_for("form_editor", slug=shop.slug).path
        return RedirectResponse(f"{target}?saved={saved.version}", status.HTTP_303_SEE_OTHER)
    session.rollback()
    return _render(
        request,
        user,
        shop,
        form,
        rows,
        errors=errors,
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


def _apply(action: str, rows: list[dict[str, Any]], form: FormDefinition) -> list[dict[str, Any]]:
    """Move, retire or restore a question as the button asked; `save` keeps the rows."""
    verb, _, target = action.partition(":")
    if verb == "restore":
        restored = [row_of(f) for f in form.retired if f.key == target]
        return [*rows, *restored]
    if not target.isdigit() or int(target) >= len(rows):
        return rows
    index = int(target)
    if verb == "retire":
        return rows[:index] + rows[index + 1 :]
    other = {"up": index - 1, "down": index + 1}.get(verb)
    if other is None or not 0 <= other < len(rows):
        return rows
    rows = list(rows)
    rows[index], rows[other] = rows[other], rows[index]
    return rows


def _field_input(row: dict[str, Any], taken: set[str]) -> dict[str, Any]:
    key = row["key"].strip() or _new_key(row["label"], taken)
    taken.add(key)
    row["key"] = key
    field: dict[str, Any] = {
        "key": key,
        "label": row["label"],
        "help_text": row["help_text"],
        "type": row["type"],
        "required": row["required"],
        "options": row["options"].splitlines() if row["type"] in _CHOICE_TYPES else [],
    }
    if row["type"] == FieldType.NUMBER.value:
        field |= {"min": row["min"].strip() or None, "max": row["max"].strip() or None}
    return field


_CHOICE_TYPES = {FieldType.SINGLE_CHOICE.value, FieldType.MULTIPLE_CHOICE.value}


def _new_key(label: str, taken: set[str]) -> str:
    """A key from the label: lowercase words joined by underscores, unique in the form."""
    base = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:36] or "question"
    if not base[0].isalpha():
        base = f"q_{base}"[:36]
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key


def _row_errors(errors: dict[str, str]) -> dict[str, str]:
    """`fields.<n>.<attribute>` (the API's names) as the editor's `rows-<n>-<attribute>`."""
    mapped: dict[str, str] = {}
    for name, message in errors.items():
        parts = name.split(".")
        if parts[0] == "fields" and len(parts) > 1 and parts[1].isdigit():
            mapped["-".join(["rows", *parts[1:3]])] = message
        else:
            mapped["form"] = message
    return mapped
