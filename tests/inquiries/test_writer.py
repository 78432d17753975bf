"""The one writer: every value exactly as given, and one idempotency record for every path."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from barberbot.forms.store import SqlAnswerStore
from barberbot.inquiries import writer
from barberbot.inquiries.capture import Capture, keyed_id, prepare
from barberbot.inquiries.rules import validate_inquiry
from barberbot.inquiries.writer import IdempotencyConflict, Written
from barberbot.models import Inquiry, LateDay, Shop, Source
from barberbot.models.base import utcnow
from tests.factories import inquiry_payload, make_shop

AWKWARD = [
    "O'Connor \\ backslash",
    'Quote " and %s and %(name)s and ? marks',
    "Zoë Núñez 💈 ✂️",
    "Robert'); DROP TABLE inquiries;--",
    "tab\there\nnew line",
]


def _capture(shop: Shop, inquiry_id: uuid.UUID | None = None, **overrides: Any) -> Capture:
    data = validate_inquiry(inquiry_payload(**overrides), shop.type_labels())
    return prepare(shop, data, source=Source.IMPORT, inquiry_id=inquiry_id)


def _write(session: Session, captures: list[Capture]) -> list[writer.Outcome]:
    outcomes = writer.write(session, captures, SqlAnswerStore())
    session.commit()
    return outcomes


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Inquiry)) or 0


def test_awkward_text_and_nulls_are_stored_exactly(session: Session, shop: Shop) -> None:
    captures = [
        _capture(shop, message=text, customer_name=f"N {n} {text}")
        for n, text in enumerate(AWKWARD)
    ]
    captures.append(_capture(shop, message="", email=None, location="", marketing_consent=False))

    outcomes = _write(session, captures)
    session.expire_all()

    assert all(isinstance(o, Written) and not o.replayed for o in outcomes)
    stored = {i.id: i for i in session.scalars(select(Inquiry))}
    for capture in captures:
        row, inquiry = capture.values, stored[capture.id]
        assert inquiry.message == row["message"]
        assert inquiry.customer_name == row["customer_name"]
        assert inquiry.email == row["email"]
        assert inquiry.location == row["location"]
        assert inquiry.marketing_consent == row["marketing_consent"]
        assert inquiry.consent_at == row["consent_at"]
        assert inquiry.received_at == row["received_at"]
        assert inquiry.fingerprint == capture.fingerprint
    assert captures[-1].values["email"] is None
    assert captures[-1].values["consent_text"] is None


def test_the_same_captures_again_are_replays_that_store_nothing(
    session: Session, shop: Shop
) -> None:
    captures = [_capture(shop, uuid.uuid4(), message=f"message {n}") for n in range(20)]
    _write(session, captures[:12])

    outcomes = _write(session, captures)

    assert [isinstance(o, Written) and o.replayed for o in outcomes] == [True] * 12 + [False] * 8
    replayed = outcomes[0]
    assert isinstance(replayed, Written)
    assert isinstance(replayed.row, Inquiry)
    assert replayed.row.id == captures[0].id
    assert _count(session) == 20


def test_the_same_id_with_other_content_is_a_conflict(session: Session, shop: Shop) -> None:
    first = _capture(shop, uuid.uuid4())
    _write(session, [first])

    [outcome] = _write(session, [_capture(shop, first.id, age=70)])

    assert isinstance(outcome, IdempotencyConflict)
    assert session.scalars(select(Inquiry.age)).all() == [34]


def test_another_shops_id_is_a_conflict_whatever_its_content(session: Session, shop: Shop) -> None:
    other = make_shop(session, slug="other")
    first = _capture(other, uuid.uuid4())
    _write(session, [first])

    [outcome] = _write(session, [_capture(shop, first.id)])

    assert isinstance(outcome, IdempotencyConflict)
    assert _count(session) == 1


def test_twice_in_one_batch_the_first_is_stored_and_the_second_judged_by_it(
    session: Session, shop: Shop
) -> None:
    first = _capture(shop, uuid.uuid4())
    same, changed = _capture(shop, first.id), _capture(shop, first.id, age=70)

    stored, replayed, conflict = _write(session, [first, same, changed])

    assert isinstance(stored, Written)
    assert not stored.replayed
    assert isinstance(replayed, Written)
    assert replayed.replayed
    assert isinstance(conflict, IdempotencyConflict)
    assert _count(session) == 1


def test_a_row_from_before_fingerprints_replays(session: Session, shop: Shop) -> None:
    first = _capture(shop, uuid.uuid4())
    _write(session, [first])
    session.execute(update(Inquiry).values(fingerprint=None))
    session.commit()

    [outcome] = _write(session, [_capture(shop, first.id, age=70)])

    assert isinstance(outcome, Written)
    assert outcome.replayed


def test_only_ids_that_could_be_stored_are_looked_up(session: Session, shop: Shop) -> None:
    data = validate_inquiry(inquiry_payload(), shop.type_labels())
    fresh = prepare(shop, data, source=Source.WEB_FORM)

    assert fresh.fresh
    assert fresh.fingerprint is None
    assert not prepare(shop, data, source=Source.API, idempotency_key="k").fresh
    assert not prepare(shop, data, source=Source.DESKTOP, inquiry_id=uuid.uuid4()).fresh


def test_a_key_names_the_same_id_in_its_shop_only(session: Session, shop: Shop) -> None:
    other = make_shop(session, slug="other")

    assert keyed_id(shop.id, "k-1") == keyed_id(shop.id, "k-1")
    assert keyed_id(shop.id, "k-1") != keyed_id(other.id, "k-1")
    assert keyed_id(shop.id, "k-1") != keyed_id(shop.id, "k-2")


def test_the_fingerprint_is_what_the_customer_said_not_the_consent_wording(
    shop: Shop,
) -> None:
    same_id = uuid.uuid4()
    plain = _capture(shop, same_id, marketing_consent=True)
    worded = _capture(shop, same_id, marketing_consent=True, consent_text="Other wording")
    older = _capture(shop, same_id, marketing_consent=True, age=35)

    assert plain.fingerprint == worded.fingerprint
    assert plain.fingerprint != older.fingerprint
    assert plain.values["consent_text"] == shop.effective_consent_text()
    assert worded.values["consent_text"] == "Other wording"


def test_late_inquiries_mark_their_day_and_recent_ones_do_not(session: Session, shop: Shop) -> None:
    data = validate_inquiry(inquiry_payload(), shop.type_labels())
    late = prepare(shop, data, source=Source.DESKTOP, received_at=utcnow() - timedelta(days=3))
    recent = prepare(shop, data, source=Source.DESKTOP, received_at=utcnow())

    _write(session, [late, recent])

    days = set(session.scalars(select(LateDay.day)))
    assert len(days) == 1
    assert _count(session) == 2
