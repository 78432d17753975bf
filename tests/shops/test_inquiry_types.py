"""A shop's inquiry types: added with a key from the label, renamed (the key stays), moved,
retired (no longer offered, still named) and brought back; refusals change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from barberbot.core.choices import DEFAULT_INQUIRY_TYPES
from barberbot.models import Shop
from barberbot.shops import inquiry_types
from barberbot.shops.inquiry_types import TypeInvalid


def _stored(session: Session, shop: Shop) -> list[dict[str, object]]:
    session.commit()
    session.expire_all()
    return list(session.get_one(Shop, shop.id).inquiry_types)


def test_a_type_is_added_renamed_moved_retired_and_brought_back(
    session: Session, shop: Shop
) -> None:
    key = inquiry_types.add(session, shop, "  Beard Trim   Inquiry ")
    again = inquiry_types.add(session, shop, "Beard trim, inquiry!")  # a different label
    inquiry_types.rename(session, shop, key, "Beard enquiry")
    inquiry_types.move(session, shop, [key, *[k for k in shop.type_labels() if k != key]])
    inquiry_types.retire(session, shop, "shave")
    stored = _stored(session, shop)
    offered, named = inquiry_types.offered(shop), shop.type_labels()
    inquiry_types.restore(session, shop, "shave")

    assert (key, again) == ("beard_trim_inquiry", "beard_trim_inquiry_2")
    assert stored[0] == {"key": "beard_trim_inquiry", "label": "Beard enquiry"}
    assert {"key": "shave", "label": "Shave", "retired": True} in stored
    assert "shave" not in offered
    assert named["shave"] == "Shave"  # still named on the inquiries that have it
    assert inquiry_types.retired(shop) == {}
    assert "shave" in inquiry_types.offered(shop)


ADD, RENAME = inquiry_types.add, inquiry_types.rename
REFUSED = [
    (lambda s, shop: ADD(s, shop, "   "), "label", "Give the inquiry type a name."),
    (lambda s, shop: ADD(s, shop, "x" * 61), "label", "Keep the name to 60"),
    (lambda s, shop: ADD(s, shop, "HAIRCUT"), "label", "already an inquiry type 'Haircut'"),
    (lambda s, shop: RENAME(s, shop, "shave", "Beard trim"), "label", "already"),
    (lambda s, shop: RENAME(s, shop, "nope", "X"), "inquiry_type", "no inquiry type 'nope'"),
    (lambda s, shop: inquiry_types.move(s, shop, ["haircut"]), "order", "List every"),
    (lambda s, shop: inquiry_types.retire(s, shop, "nope"), "inquiry_type", "no inquiry type"),
]


@pytest.mark.parametrize(("change", "field", "message"), REFUSED)
def test_refusals_say_why_and_change_nothing(
    session: Session, shop: Shop, change: object, field: str, message: str
) -> None:
    with pytest.raises(TypeInvalid) as refused:
        change(session, shop)  # type: ignore[operator]

    assert message in refused.value.errors[field]
    assert _stored(session, shop) == [{"key": k, "label": v} for k, v in DEFAULT_INQUIRY_TYPES]


def test_the_last_offered_type_cannot_be_retired(session: Session, shop: Shop) -> None:
    for key in list(inquiry_types.offered(shop))[1:]:
        inquiry_types.retire(session, shop, key)

    with pytest.raises(TypeInvalid, match="at least one inquiry type"):
        inquiry_types.retire(session, shop, "haircut")
    assert list(inquiry_types.offered(shop)) == ["haircut"]
