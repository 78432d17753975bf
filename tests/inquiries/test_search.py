"""The inbox's search: the same inquiries found whether the settling rounds have indexed them
or not; late and forgotten inquiries; a backlog indexed over several rounds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from barberbot.inquiries import search_index, service
from barberbot.inquiries.filters import InquiryFilters
from barberbot.inquiries.search import terms, words
from barberbot.models import Inquiry, InquiryTerm, SearchMark, Shop
from barberbot.models.base import utcnow
from tests.factories import make_inquiry, make_shop

PEOPLE = [
    ("Zoë Núñez", "zoe.nunez@example.com", "+44 7700 900111", "Skin fade on Saturday?"),
    ("John Smith", "js@mail.example", None, "Beard trim for a wedding"),
    ("Jo Smithers", None, "+44 7700 900333", "Kids cut, Saturday morning"),
    ("Ann Archer", "ann@example.com", "+44 7911 123456", "Price of a hot towel shave"),
]
SEARCHES = {
    "zoe": ["Zoë Núñez"],  # accents and case do not matter
    "NÚÑEZ": ["Zoë Núñez"],
    "jo sm": ["Jo Smithers", "John Smith"],  # every word begins a word
    "smith john": ["John Smith"],
    "saturday": ["Jo Smithers", "Zoë Núñez"],
    "saturday kids": ["Jo Smithers"],
    "07700 900333": ["Jo Smithers"],  # a phone as typed in the shop's country
    "+44 7911 123456": ["Ann Archer"],
    "7700": ["Jo Smithers", "Zoë Núñez"],
    "ann@example.com": ["Ann Archer"],
    "mail.example": ["John Smith"],
    "wedding beard": ["John Smith"],
    "fade wedding": [],
    "%": [],
    "nobody": [],
}


@pytest.fixture
def people(session: Session, shop: Shop) -> Shop:
    """The four, received two days ago (days the settling rounds index)."""
    for n, (name, email, phone, message) in enumerate(PEOPLE):
        when = utcnow() - timedelta(days=2, hours=n)
        make_inquiry(session, shop=shop, customer_name=name, email=email, phone=phone,
                     message=message, received_at=when)  # fmt: skip
    return shop


def found(session: Session, shop: Shop, text: str) -> list[str]:
    rows = service.page(session, shop, InquiryFilters(q=text), limit=50)
    return sorted(row.customer_name for row in rows)


def index(session: Session, shop: Shop, most: int = 1000) -> int:
    done = search_index.settle(session, shop.id, most=most)
    session.commit()
    return done


@pytest.mark.parametrize(("text", "expected"), SEARCHES.items())
def test_the_same_inquiries_are_found_before_and_after_indexing(
    session: Session, people: Shop, text: str, expected: list[str]
) -> None:
    before = found(session, people, text)
    assert index(session, people) == 4
    after = found(session, people, text)
    assert before == expected
    assert after == expected


def test_indexed_inquiries_are_found_by_the_index(session: Session, people: Shop) -> None:
    index(session, people)
    mark = session.get_one(SearchMark, people.id)
    # the index holds them: moved out of its reach, the text scan alone would not find them
    session.execute(update(Inquiry).where(Inquiry.shop_id == people.id).values(message="gone"))
    session.commit()
    assert found(session, people, "wedding") == ["John Smith"]
    assert mark.indexed_before > utcnow() - timedelta(days=1)


def test_a_backlog_is_indexed_over_several_rounds(session: Session, people: Shop) -> None:
    assert index(session, people, most=3) == 3
    assert found(session, people, "saturday") == ["Jo Smithers", "Zoë Núñez"]
    assert index(session, people, most=3) >= 1
    assert index(session, people, most=3) == 0
    assert found(session, people, "saturday") == ["Jo Smithers", "Zoë Núñez"]
    per_inquiry = select(InquiryTerm.inquiry_id, InquiryTerm.term, func.count()).group_by(
        InquiryTerm.inquiry_id, InquiryTerm.term
    )
    assert all(count == 1 for *_, count in session.execute(per_inquiry))


def test_a_late_inquiry_is_found_and_indexed_the_next_round(session: Session, people: Shop) -> None:
    index(session, people)
    make_inquiry(session, shop=people, customer_name="Late Larry", message="walk-in?",
                 received_at=utcnow() - timedelta(days=3))  # fmt: skip
    assert index(session, people) == 1  # its day again: the late one
    assert found(session, people, "larry") == ["Late Larry"]


def test_a_forgotten_inquiry_leaves_no_term(session: Session, people: Shop) -> None:
    index(session, people)
    john = session.scalars(select(Inquiry).where(Inquiry.customer_name == "John Smith")).one()
    service.forget(session, people, john.id)
    session.commit()
    left = session.scalar(
        select(func.count()).select_from(InquiryTerm).where(InquiryTerm.inquiry_id == john.id)
    )
    assert left == 0
    assert found(session, people, "wedding") == []


def test_another_shops_inquiries_are_not_found(session: Session, people: Shop) -> None:
    other = make_shop(session, slug="other")
    make_inquiry(session, shop=other, customer_name="John Other", message="Saturday",
                 received_at=utcnow() - timedelta(days=2))  # fmt: skip
    index(session, people)
    index(session, other)
    assert found(session, people, "john") == ["John Smith"]
    assert found(session, other, "saturday") == ["John Other"]


def test_terms_and_words() -> None:
    made = terms("Zoë O'Neil", "Zoe.ONeil@Example.com", "+447700900111", "Hi! A fade?")
    assert {"zoe", "o", "neil", "zoe.oneil@example.com", "example", "com"} <= made
    assert {"447700900111", "7700900111", "hi", "a", "fade"} <= made
    assert words("07700 900111") == ["7700900111"]
    assert words("  Zoë  zoe ") == ["zoe"]
    assert words("!!") == []


def test_accents_do_not_matter_before_indexing_either(session: Session, shop: Shop) -> None:
    """Today's inquiries are read, not looked up: a name or message with accents is found
    by the word typed without them (SQLite folds them by BarberBot's own function)."""
    make_inquiry(session, shop=shop, customer_name="Åsa Ångström", email=None,
                 phone="+44 7700 900444", message="Coupe dégradée, s'il vous plaît")  # fmt: skip

    assert found(session, shop, "angstrom") == ["Åsa Ångström"]
    assert found(session, shop, "DEGRADEE plait") == ["Åsa Ångström"]
    assert found(session, shop, "ångström") == ["Åsa Ångström"]
    assert found(session, shop, "angstrom dégradé") == ["Åsa Ångström"]
