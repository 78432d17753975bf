"""Every inbox endpoint: another shop's inquiry or saved reply is 404, another shop's user
sees nothing, and nobody signed in gets in."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.inbox import saved_replies
from barberbot.models import Inquiry, InquiryEvent, SavedReply, Shop
from tests.factories import make_inquiry, make_shop, make_user
from tests.inbox.conftest import bearer, inquiry_url, saved_url

Call = Callable[[TestClient, Shop, str, int, dict[str, str]], Any]  # a response

# (name, call(client, shop in the path, inquiry id, saved reply id, headers))
CALLS: list[tuple[str, Call]] = [
    ("patch", lambda c, s, i, r, h: c.patch(inquiry_url(s, i), json={"status": "open"}, headers=h)),
    ("events", lambda c, s, i, r, h: c.get(inquiry_url(s, i, "/events"), headers=h)),
    ("notes", lambda c, s, i, r, h: c.get(inquiry_url(s, i, "/notes"), headers=h)),
    (
        "add note",
        lambda c, s, i, r, h: c.post(inquiry_url(s, i, "/notes"), json={"body": "x"}, headers=h),
    ),
    ("replies", lambda c, s, i, r, h: c.get(inquiry_url(s, i, "/replies"), headers=h)),
    (
        "reply",
        lambda c, s, i, r, h: c.post(inquiry_url(s, i, "/replies"), json={"body": "x"}, headers=h),
    ),
    (
        "replace saved",
        lambda c, s, i, r, h: c.put(
            saved_url(s, f"/{r}"), json={"name": "Mine", "body": "Mine"}, headers=h
        ),
    ),
    ("delete saved", lambda c, s, i, r, h: c.delete(saved_url(s, f"/{r}"), headers=h)),
]
SHOP_CALLS: list[tuple[str, Call]] = [
    ("saved replies", lambda c, s, i, r, h: c.get(saved_url(s), headers=h)),
    (
        "save",
        lambda c, s, i, r, h: c.post(saved_url(s), json={"name": "N", "body": "B"}, headers=h),
    ),
]


@pytest.fixture
def rival(session: Session) -> Shop:
    return make_shop(session, slug="rival", name="Rival Barbers")


@pytest.fixture
def theirs(session: Session, rival: Shop) -> tuple[Inquiry, SavedReply]:
    inquiry = make_inquiry(session, shop=rival, customer_name="Rival Customer")
    reply = saved_replies.create(session, rival, "Theirs", "Their text")
    session.commit()
    return inquiry, reply


def _untouched(session: Session, inquiry: Inquiry, reply: SavedReply) -> None:
    session.expire_all()
    assert session.get_one(Inquiry, inquiry.id).status == "new"
    assert session.get_one(SavedReply, reply.id).name == "Theirs"
    their_events = select(func.count()).where(InquiryEvent.inquiry_id == inquiry.id)
    assert session.scalar(their_events) == 0


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_another_shops_ids_through_my_shop_are_404(
    client: TestClient,
    session: Session,
    shop: Shop,
    owner_headers: dict[str, str],
    theirs: tuple[Inquiry, SavedReply],
    name: str,
    call: Call,
) -> None:
    inquiry, reply = theirs
    mine = make_inquiry(session, shop=shop)
    # each id of theirs in turn, with one of mine for the other
    by_their_inquiry = call(client, shop, str(inquiry.id), reply.id, owner_headers)
    by_their_reply = call(client, shop, str(mine.id), reply.id, owner_headers)
    unknown = call(client, shop, str(uuid.uuid4()), 999_999, owner_headers)

    assert by_their_inquiry.status_code == 404
    assert unknown.status_code == 404
    if name in ("replace saved", "delete saved"):
        assert by_their_reply.status_code == 404
        assert by_their_reply.json() == {"detail": "No such saved reply in this shop."}
    else:
        assert by_their_inquiry.json() == {"detail": "No such inquiry in this shop."}
    _untouched(session, inquiry, reply)


@pytest.mark.parametrize(
    ("name", "call"), CALLS + SHOP_CALLS, ids=[name for name, _ in CALLS + SHOP_CALLS]
)
def test_a_user_of_another_shop_sees_nothing_and_nobody_signed_in_gets_in(
    client: TestClient,
    session: Session,
    rival: Shop,
    theirs: tuple[Inquiry, SavedReply],
    name: str,
    call: Call,
) -> None:
    inquiry, reply = theirs
    shop = make_shop(session, slug="kings-cuts", name="King's Cuts")
    stranger = make_user(session, email="owner@kings.example", shops=[shop])

    as_stranger = call(client, rival, str(inquiry.id), reply.id, bearer(session, stranger))
    anonymous = call(client, rival, str(inquiry.id), reply.id, {})

    assert as_stranger.status_code == 404
    assert as_stranger.json() == {"detail": "Unknown shop 'rival'."}  # as if it did not exist
    assert anonymous.status_code == 401
    _untouched(session, inquiry, reply)
    assert [r.name for r in saved_replies.of(session, rival)] == ["Theirs"]
