"""The pure handler, with a session and no Kafka."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.models import Inquiry, Shop
from barberbot.streaming.handler import Record, handle
from tests.factories import make_shop
from tests.streaming.helpers import envelope


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


def test_stores_a_batch_and_a_redelivery_adds_nothing(session: Session, shop: Shop) -> None:
    sent = [envelope(shop, i) for i in range(5)]
    records = [Record(value) for _, value in sent]

    first = handle(session, records)
    session.commit()
    again = handle(session, records + records[:2])  # redelivered, some twice in one batch
    session.commit()

    assert (first.stored, first.redelivered, first.dead) == (5, 0, [])
    assert (again.stored, again.redelivered) == (0, 7)  # every message counted once
    assert _count(session) == 5
    stored = session.get(Inquiry, sent[0][0])
    assert stored is not None
    assert stored.shop_id == shop.id
    assert stored.customer_name == "Customer 0"


def test_bad_messages_are_returned_with_reasons_and_the_rest_stored(
    session: Session, shop: Shop
) -> None:
    _, good = envelope(shop, 1)
    _, valid = envelope(shop, 2)
    invalid = valid.replace(b'"email":"jamal@example.com"', b'"email":"nope"')
    other_shop = make_shop(session, slug="other", name="Other")
    _, elsewhere = envelope(other_shop, 3)

    result = handle(
        session,
        [
            Record(b"garbage", partition=1, offset=7),
            Record(good),
            Record(invalid),
            Record(elsewhere),
        ],
    )

    assert result.stored == 2
    assert [(d.record.offset, d.reason) for d in result.dead] == [
        (7, "not JSON"),
        (-1, "invalid inquiry: email: Enter an e-mail address like name@example.com."),
    ]


def test_the_shops_own_inquiry_types_apply(session: Session, shop: Shop) -> None:
    _, beard = envelope(shop, 1)  # the payload asks for a beard trim
    shop.inquiry_types = [{"key": "haircut", "label": "Haircut"}]  # which the shop then drops
    session.commit()

    result = handle(session, [Record(beard)])

    assert result.stored == 0
    assert result.dead[0].reason.startswith("invalid inquiry: inquiry_type: Choose one of: Haircut")
