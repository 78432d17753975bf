"""The shop settings page (`/shops/{shop}/settings`, owners only): the shop's details, its
inquiry types, the web form's look and data retention, with the latest saved versions. Each
form posts, then redirects back (or shows its errors beside the field, with what was typed,
422); every saved change is a version and shows on the web form at once."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from barberbot.auth.deps import CurrentUser
from barberbot.core.deps import SessionDep
from barberbot.models import Shop, User
from barberbot.shops import inquiry_types, logo, settings
from barberbot.shops.deps import OwnedShop
from barberbot.shops.inquiry_types import TypeInvalid
from barberbot.shops.settings import SettingsInvalid
from barberbot.web.csrf import check_csrf
from barberbot.web.templating import shop_page

router = APIRouter(include_in_schema=False)
PAGE = "/shops/{slug}/settings"
DONE = {
    "saved": "Settings saved: the web form shows them now.",
    "types": "Inquiry types saved: the web form offers them now.",
    "logo": "Logo saved.",
    "unchanged": "Nothing to save: that is how it was.",
}
SETTING_NAMES = {
    "name": "name",
    "timezone": "time zone",
    "country": "country",
    "consent_text": "consent text",
    "thanks_text": "thank-you message",
    "brand_colour": "colour",
    "logo": "logo",
    "retention_months": "data retention",
    "inquiry_types": "inquiry types",
}
LOGO_UPLOAD_PATH = r"/shops/[^/]+/settings/logo"
LOGO_UPLOAD_MAX = 10 * 1024 * 1024  # a phone's photo, to be refused beside the field


def _values(shop: Shop) -> dict[str, str]:
    return {
        "name": shop.name,
        "timezone": shop.timezone,
        "country": shop.country or "",
        "consent_text": shop.consent_text,
        "thanks_text": shop.thanks_text,
        "brand_colour": shop.brand_colour or "",
        "retention": "on" if shop.retention_months else "",
        "retention_months": str(shop.retention_months or 24),
    }


def _render(
    request: Request,
    session: Session,
    user: User,
    shop: Shop,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    type_form: dict[str, str] | None = None,
) -> HTMLResponse:
    zone = ZoneInfo(shop.timezone)
    return shop_page(
        request,
        "settings.html",
        user,
        shop,
        errors,
        values=_values(shop) | (form or {}),
        type_form=type_form or {},
        types=shop.inquiry_types,
        time_zones=settings.time_zones(shop.country, shop.timezone),
        countries=settings.countries(),
        logo_url=logo.url(shop),
        logo_max_kb=logo.LOGO_MAX // 1024,
        versions=[
            (row, settings.by_whom(session, row), [SETTING_NAMES.get(c, c) for c in row.changed])
            for row in settings.versions(session, shop, limit=10)
        ],
        local=lambda at: at.astimezone(zone).strftime("%d %b %Y %H:%M"),
        done=DONE.get(request.query_params.get("done", ""), ""),
    )


def _back(request: Request, shop: Shop, done: str, anchor: str = "") -> RedirectResponse:
    request.app.state.shop_cache.forget(shop.slug)  # the public form reads the change at once
    return RedirectResponse(f"/shops/{shop.slug}/settings?done={done}{anchor}", 303)


@router.get(PAGE, response_class=HTMLResponse, name="shop_settings")
def settings_page(
    request: Request, shop: OwnedShop, user: CurrentUser, session: SessionDep
) -> Response:
    return _render(request, session, user, shop)


@router.post(PAGE, name="shop_settings_save")
def save_settings(
    request: Request,
    shop: OwnedShop,
    user: CurrentUser,
    session: SessionDep,
    name: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "",
    country: Annotated[str, Form()] = "",
    consent_text: Annotated[str, Form()] = "",
    thanks_text: Annotated[str, Form()] = "",
    brand_colour: Annotated[str, Form()] = "",
    retention: Annotated[str, Form()] = "",
    retention_months: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    typed = {
        "name": name,
        "timezone": timezone,
        "country": country,
        "consent_text": consent_text,
        "thanks_text": thanks_text,
        "brand_colour": brand_colour,
    }
    values: dict[str, Any] = dict(typed)
    values["retention_months"] = retention_months if retention == "on" else None
    try:
        saved = settings.update(session, shop, values, by=user)
    except SettingsInvalid as invalid:
        form = typed | {"retention": retention, "retention_months": retention_months}
        return _render(request, session, user, shop, form=form, errors=invalid.errors)
    return _back(request, shop, "saved" if saved else "unchanged")


@router.post(PAGE + "/types", name="shop_settings_add_type")
def add_type(
    request: Request,
    shop: OwnedShop,
    user: CurrentUser,
    session: SessionDep,
    label: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        settings.change_types(session, shop, lambda s, sh: inquiry_types.add(s, sh, label), by=user)
    except TypeInvalid as invalid:
        errors = {f"new_type_{k}": v for k, v in invalid.errors.items()}
        return _render(request, session, user, shop, errors=errors, type_form={"new": label})
    return _back(request, shop, "types", "#types-h")


@router.post(PAGE + "/types/{key}", name="shop_settings_change_type")
def change_type(
    request: Request,
    key: str,
    shop: OwnedShop,
    user: CurrentUser,
    session: SessionDep,
    action: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        settings.change_types(session, shop, _type_change(shop, key, action, label), by=user)
    except TypeInvalid as invalid:
        session.rollback()
        errors = {f"type_{key}": " ".join(invalid.errors.values())}
        return _render(request, session, user, shop, errors=errors, type_form={key: label})
    return _back(request, shop, "types", "#types-h")


def _type_change(shop: Shop, key: str, action: str, label: str) -> Any:
    """The change one of a type's buttons asks for, as `change_types` runs it."""
    if action == "rename":
        return lambda s, sh: inquiry_types.rename(s, sh, key, label)
    if action == "retire":
        return lambda s, sh: inquiry_types.retire(s, sh, key)
    if action == "restore":
        return lambda s, sh: inquiry_types.restore(s, sh, key)
    if action in ("up", "down"):
        keys = [t["key"] for t in shop.inquiry_types]
        if key in keys:
            at = keys.index(key)
            to = max(0, at - 1) if action == "up" else min(len(keys) - 1, at + 1)
            keys[at], keys[to] = keys[to], keys[at]
        return lambda s, sh: inquiry_types.move(s, sh, keys)
    raise TypeInvalid({"action": "Choose one of the type's buttons."})


@router.post(PAGE + "/logo", name="shop_settings_logo")
def change_logo(
    request: Request,
    shop: OwnedShop,
    user: CurrentUser,
    session: SessionDep,
    image: Annotated[UploadFile | None, File()] = None,
    action: Annotated[str, Form()] = "upload",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        if action == "remove":
            logo.remove(session, shop, by=user)
        else:
            # one byte past the limit is enough to refuse a larger file
            data = image.file.read(logo.LOGO_MAX + 1) if image is not None else b""
            logo.put(session, shop, data, by=user)
    except SettingsInvalid as invalid:
        return _render(request, session, user, shop, errors=invalid.errors)
    return _back(request, shop, "logo", "#look-h")
