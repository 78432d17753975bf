"""The REST API for shops: what a member's client (the desktop app) needs to know of one, and
the owners' settings and inquiry types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from barberbot.auth.deps import CurrentUser
from barberbot.core.deps import SessionDep
from barberbot.core.errors import invalid_response
from barberbot.models import Shop, ShopSettingsVersion, User
from barberbot.shops import inquiry_types, logo, settings
from barberbot.shops.deps import MemberShop, OwnedShop
from barberbot.shops.inquiry_types import TypeInvalid
from barberbot.shops.schemas import (
    InquiryTypeCreate,
    InquiryTypeOrder,
    InquiryTypeRead,
    InquiryTypeUpdate,
    SettingsVersionRead,
    ShopSettingsRead,
    ShopSettingsUpdate,
)
from barberbot.shops.settings import SettingsInvalid

router = APIRouter(prefix="/api/v1/shops", tags=["shops"])
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "Invalid fields, with a message for each; nothing changed"}
}
OWNERS: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not an owner of the shop"},
    404: {"description": "No such shop"},
}


class OfferedTypeRead(BaseModel):
    key: str
    label: str


class ShopRead(BaseModel):
    slug: str
    name: str
    timezone: str
    country: str | None = Field(
        description="ISO 3166-1 alpha-2; phone numbers without a +country code are read as "
        "this country's (none: they must have one)."
    )
    inquiry_types: list[OfferedTypeRead] = Field(description="The types a new inquiry may have")
    consent_text: str


@router.get("/{slug}", response_model=ShopRead, summary="Read a shop you belong to")
def read_shop(shop: MemberShop) -> ShopRead:
    return ShopRead(
        slug=shop.slug,
        name=shop.name,
        timezone=shop.timezone,
        country=shop.country,
        inquiry_types=[
            OfferedTypeRead(key=k, label=v) for k, v in inquiry_types.offered(shop).items()
        ],
        consent_text=shop.effective_consent_text(),
    )


def settings_read(session: Session, shop: Shop) -> ShopSettingsRead:
    latest = settings.versions(session, shop, limit=1)
    return ShopSettingsRead(
        name=shop.name,
        timezone=shop.timezone,
        country=shop.country,
        consent_text=shop.consent_text,
        thanks_text=shop.thanks_text,
        brand_colour=shop.brand_colour,
        logo_url=logo.url(shop),
        retention_months=shop.retention_months,
        inquiry_types=[InquiryTypeRead.model_validate(t) for t in shop.inquiry_types],
        version=latest[0].version if latest else 0,
    )


def _changed(request: Request, session: Session, shop: Shop) -> ShopSettingsRead:
    """The settings after a change, which the public pages read at once (the cache let go)."""
    request.app.state.shop_cache.forget(shop.slug)
    return settings_read(session, shop)


@router.get(
    "/{slug}/settings",
    response_model=ShopSettingsRead,
    summary="Read the shop's settings (owners)",
    responses=OWNERS,
)
def read_settings(shop: OwnedShop, session: SessionDep) -> ShopSettingsRead:
    return settings_read(session, shop)


@router.put(
    "/{slug}/settings",
    response_model=ShopSettingsRead,
    summary="Change the shop's settings (owners): a new version",
    description="Send only the settings to change. A saved change is a new version (who, "
    "when, what changed) and shows on the web form at once.",
    responses={**INVALID, **OWNERS},
)
def update_settings(
    data: ShopSettingsUpdate,
    request: Request,
    shop: OwnedShop,
    user: CurrentUser,
    session: SessionDep,
) -> ShopSettingsRead | JSONResponse:
    try:
        settings.update(session, shop, data.given(), by=user)
    except SettingsInvalid as invalid:
        session.rollback()
        return invalid_response(invalid.errors)
    return _changed(request, session, shop)


@router.get(
    "/{slug}/settings/versions",
    response_model=list[SettingsVersionRead],
    summary="The shop's latest settings versions, newest first (owners)",
    responses=OWNERS,
)
def list_versions(shop: OwnedShop, session: SessionDep) -> list[SettingsVersionRead]:
    return [version_read(session, row) for row in settings.versions(session, shop)]


def version_read(session: Session, row: ShopSettingsVersion) -> SettingsVersionRead:
    by = session.get(User, row.created_by) if row.created_by is not None else None
    return SettingsVersionRead(
        version=row.version,
        created_at=row.created_at,
        created_by=by.email if by is not None else None,
        changed=list(row.changed),
        settings=dict(row.settings),
    )


def _types_change(
    request: Request,
    session: Session,
    shop: Shop,
    user: User,
    change: Callable[[Session, Shop], Any],
) -> ShopSettingsRead | JSONResponse:
    try:
        settings.change_types(session, shop, change, by=user)
    except TypeInvalid as invalid:
        session.rollback()  # a rename before a refused retire: nothing is kept
        return invalid_response(invalid.errors)
    return _changed(request, session, shop)


@router.post(
    "/{slug}/inquiry-types",
    response_model=ShopSettingsRead,
    status_code=201,
    summary="Add an inquiry type (owners)",
    description="Its key is made from the label and never changes.",
    responses={**INVALID, **OWNERS},
)
def add_type(
    data: InquiryTypeCreate,
    request: Request,
    shop: OwnedShop,
    user: CurrentUser,
    session: SessionDep,
) -> ShopSettingsRead | JSONResponse:
    def change(s: Session, sh: Shop) -> str:
        return inquiry_types.add(s, sh, data.label)

    answer = _types_change(request, session, shop, user, change)
    if isinstance(answer, JSONResponse):
        return answer
    return JSONResponse(answer.model_dump(mode="json"), status_code=201)


@router.patch(
    "/{slug}/inquiry-types/{key}",
    response_model=ShopSettingsRead,
    summary="Rename, retire or bring back an inquiry type (owners)",
    description="A retired type is no longer offered on new inquiries; the inquiries that "
    "have it keep it, and exports and filters still name it.",
    responses={**INVALID, **OWNERS},
)
def change_type(
    key: str,
    data: InquiryTypeUpdate,
    request: Request,
    shop: OwnedShop,
    user: CurrentUser,
    session: SessionDep,
) -> ShopSettingsRead | JSONResponse:
    def change(s: Session, sh: Shop) -> None:
        if data.label is not None:
            inquiry_types.rename(s, sh, key, data.label)
        if data.retired is True:
            inquiry_types.retire(s, sh, key)
        elif data.retired is False:
            inquiry_types.restore(s, sh, key)

    return _types_change(request, session, shop, user, change)


@router.put(
    "/{slug}/inquiry-types/order",
    response_model=ShopSettingsRead,
    summary="Put the inquiry types in a new order (owners)",
    responses={**INVALID, **OWNERS},
)
def order_types(
    data: InquiryTypeOrder,
    request: Request,
    shop: OwnedShop,
    user: CurrentUser,
    session: SessionDep,
) -> ShopSettingsRead | JSONResponse:
    def change(s: Session, sh: Shop) -> None:
        inquiry_types.move(s, sh, data.keys)

    return _types_change(request, session, shop, user, change)
