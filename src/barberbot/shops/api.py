"""The REST API for shops: what a member's client (the desktop app) needs to know of one."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from barberbot.shops.deps import MemberShop

router = APIRouter(prefix="/api/v1/shops", tags=["shops"])


class InquiryTypeRead(BaseModel):
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
    inquiry_types: list[InquiryTypeRead]
    consent_text: str


@router.get("/{slug}", response_model=ShopRead, summary="Read a shop you belong to")
def read_shop(shop: MemberShop) -> ShopRead:
    return ShopRead(
        slug=shop.slug,
        name=shop.name,
        timezone=shop.timezone,
        country=shop.country,
        inquiry_types=[InquiryTypeRead(key=k, label=v) for k, v in shop.type_labels().items()],
        consent_text=shop.effective_consent_text(),
    )
