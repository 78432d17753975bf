"""A shop's settings: saved with a version (who, when, a snapshot, what changed), refused with a
message per field and nothing changed, the logo checked by what its bytes are, and new
inquiries accepting only the offered types while retired ones stay named."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.inquiries.rules import InquiryInvalid, validate_inquiry
from barberbot.models import Shop, ShopLogo, ShopSettingsVersion, User
from barberbot.shops import inquiry_types, logo, settings
from barberbot.shops.settings import SettingsInvalid
from tests.factories import inquiry_payload

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
WEBP = b"RIFF\0\0\0\0WEBPVP8 " + b"\0" * 100


def _versions(session: Session, shop: Shop) -> list[ShopSettingsVersion]:
    session.commit()
    query = select(ShopSettingsVersion).where(ShopSettingsVersion.shop_id == shop.id)
    return list(session.scalars(query.order_by(ShopSettingsVersion.version)))


def test_each_saved_change_is_a_version_with_who_what_and_a_snapshot(
    session: Session, shop: Shop, owner: User
) -> None:
    first = settings.update(
        session,
        shop,
        {"name": "  King's  Cuts Ltd ", "brand_colour": "#1F6FEB", "retention_months": "18"},
        by=owner,
    )
    same = settings.update(session, shop, {"name": "King's Cuts Ltd"}, by=owner)
    settings.change_types(session, shop, lambda s, sh: inquiry_types.retire(s, sh, "shave"))
    logo.put(session, shop, PNG, by=owner)
    versions = _versions(session, shop)

    assert first is not None
    assert same is None
    assert [v.version for v in versions] == [1, 2, 3]
    assert versions[0].changed == ["name", "brand_colour", "retention_months"]
    assert versions[0].created_by == owner.id
    assert versions[0].settings["name"] == "King's Cuts Ltd"
    assert versions[0].settings["brand_colour"] == "#1f6feb"
    assert versions[0].settings["retention_months"] == 18
    assert versions[1].changed == ["inquiry_types"]
    assert versions[1].created_by is None
    assert {"key": "shave", "label": "Shave", "retired": True} in versions[1].settings[
        "inquiry_types"
    ]
    assert versions[2].changed == ["logo"]
    assert versions[2].settings["logo"] == shop.logo_digest
    assert settings.by_whom(session, versions[0]) == owner.email


BAD = {
    "name": "   ",
    "timezone": "Mars/Olympus",
    "country": "XX",
    "brand_colour": "red;}",
    "retention_months": "0",
    "thanks_text": "x" * 1001,
}


def test_bad_settings_are_refused_each_with_its_message_and_nothing_changes(
    session: Session, shop: Shop
) -> None:
    before = settings.snapshot(shop)
    with pytest.raises(SettingsInvalid) as refused:
        settings.update(session, shop, {**BAD, "consent_text": "fine"})

    assert set(refused.value.errors) == set(BAD)
    assert refused.value.errors["brand_colour"].startswith("Give the colour as # and six hex")
    assert refused.value.errors["timezone"].startswith("Choose a time zone from the list")
    assert settings.snapshot(shop) == before
    assert _versions(session, shop) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose an image file"),
        (b"GIF89a" + b"\0" * 50, "must be a PNG, JPEG or WebP"),
        (b"<svg onload=alert(1)>", "must be a PNG, JPEG or WebP"),
        (PNG + b"\0" * logo.LOGO_MAX, "keep it to 200 KB"),
    ],
)
def test_a_logo_must_be_a_small_png_jpeg_or_webp(
    session: Session, shop: Shop, data: bytes, message: str
) -> None:
    with pytest.raises(SettingsInvalid) as refused:
        logo.put(session, shop, data)

    assert message in refused.value.errors["logo"]
    assert shop.logo_digest is None
    assert session.get(ShopLogo, shop.id) is None


def test_a_new_logo_has_a_new_address_and_the_old_one_is_gone(session: Session, shop: Shop) -> None:
    first = logo.put(session, shop, PNG).digest
    second = logo.put(session, shop, WEBP)
    session.commit()

    assert logo.url(shop) == f"/s/kings-cuts/logo/{second.digest}" != f"/s/kings-cuts/logo/{first}"
    assert second.content_type == "image/webp"
    assert logo.read(session, shop.id, first) is None
    logo.remove(session, shop)
    assert logo.url(shop) is None
    assert logo.read(session, shop.id, second.digest) is None


def test_new_inquiries_take_only_offered_types_and_retired_ones_stay_named(
    session: Session, shop: Shop
) -> None:
    inquiry_types.retire(session, shop, "shave")
    with pytest.raises(InquiryInvalid) as refused:
        validate_inquiry(inquiry_payload(inquiry_type="shave"), inquiry_types.offered(shop))

    assert "inquiry_type" in refused.value.errors
    assert shop.type_labels()["shave"] == "Shave"
    assert inquiry_types.listed(shop)["shave"] == "Shave (retired)"


def test_time_zones_start_with_the_shops_country_and_countries_have_names() -> None:
    zones = settings.time_zones("GB", "Europe/London")

    assert zones[:2] == ["Europe/London", "UTC"]
    assert "US/Eastern" not in zones
    assert "America/New_York" in zones
    assert ("DE", "Germany") in settings.countries()
