"""Counts per option and age band of custom choice answers, and the choice filters, on a small
hand-counted set, with both answer stores (the SQL table, and MongoDB on a real SecantusDB: the
store finds ids in the shop and period, SQL adds the age bands and other filters); SQLite, and
MariaDB with `--db=mariadb`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from barberbot.analytics.answers import choice_counts, with_answer_ids
from barberbot.analytics.bands import BAND_LABELS
from barberbot.analytics.filters import Selection, period_for
from barberbot.analytics.summary import summarise
from barberbot.forms.store import AnswerDocument, AnswerStore
from barberbot.models import Shop
from tests.factories import make_form, make_inquiry

LONDON = ZoneInfo("Europe/London")
WEEK = period_for(None, zone=LONDON, now=datetime.now(UTC), start=date(2026, 11, 1),
                  end=date(2026, 11, 7))  # fmt: skip
HAIR = ("Straight", "Wavy", "Curly")
HEARD = ("Friend", "Instagram", "Walked past")


def at(day: int, hour: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def answered(session: Session, shop: Shop, answer_store: AnswerStore) -> Shop:
    form = make_form(session, shop=shop)
    documents = []

    def add(when: datetime, age: int, answers: dict[str, Any] | None) -> None:
        inquiry = make_inquiry(session, shop=shop, received_at=when, age=age)
        if answers is not None:
            documents.append(AnswerDocument(inquiry.id, shop.id, form.version, when, answers))

    add(at(2, 9), 31, {"hair_type": "Curly", "heard_from": ["Friend", "Instagram"]})
    add(at(3, 10), 45, {"hair_type": "Straight", "heard_from": ["Friend"], "barber": "Friend"})
    add(at(4, 11), 8, {"hair_type": "Curly"})
    add(at(5, 12), 70, {"hair_type": "Wavy", "heard_from": ["Instagram"]})
    add(at(6, 13), 29, None)  # answered no form: no document
    add(at(20, 12), 30, {"hair_type": "Curly", "heard_from": ["Friend"]})  # after the week
    answer_store.save(session, documents)
    session.commit()
    return shop


def _selection(shop: Shop, **filters: Any) -> Selection:
    return Selection(shop_ids=(shop.id,), period=WEEK, **filters)


def _counts(
    session: Session, store: AnswerStore, selection: Selection, key: str, options: Any
) -> dict[str, dict[str, int]]:
    """What the dashboard counts: choice filters resolved by the store, then the counts."""
    selection = with_answer_ids(session, selection, store)
    return choice_counts(session, selection, key, options, store)


def _nonzero(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {option: {b: n for b, n in bands.items() if n} for option, bands in counts.items()}


def test_counts_per_option_and_age_band(
    session: Session, answered: Shop, answer_store: AnswerStore
) -> None:
    hair = _counts(session, answer_store, _selection(answered), "hair_type", HAIR)
    heard = _counts(session, answer_store, _selection(answered), "heard_from", HEARD)

    assert list(hair) == list(HAIR)
    assert all(list(b) == list(BAND_LABELS) for b in hair.values())
    assert _nonzero(hair) == {
        "Straight": {"45-54": 1},
        "Wavy": {"65+": 1},
        "Curly": {"under 18": 1, "25-34": 1},
    }
    # a multiple-choice answer counts once for each option it includes
    assert _nonzero(heard) == {
        "Friend": {"25-34": 1, "45-54": 1},
        "Instagram": {"25-34": 1, "65+": 1},
        "Walked past": {},
    }


def test_other_filters_narrow_the_counts(
    session: Session, answered: Shop, answer_store: AnswerStore
) -> None:
    adults = _selection(answered, age_bands=("25-34", "45-54", "65+"))
    counts = _counts(session, answer_store, adults, "hair_type", HAIR)

    assert _nonzero(counts)["Curly"] == {"25-34": 1}


@pytest.mark.parametrize(
    ("answers", "inquiries"),
    [
        ((("heard_from", ("Instagram",)),), 2),  # Ana (31) and Dee (70)
        ((("hair_type", ("Straight", "Wavy")),), 2),  # one option or the other
        ((("hair_type", ("Curly",)), ("heard_from", ("Friend",))), 1),  # both: Ana
        ((("heard_from", ("Walked past",)),), 0),
        ((("barber", ("Friend",)),), 1),  # Bo's short-text answer, if a filter named it
    ],
)
def test_choice_filters_narrow_every_figure(
    session: Session, answered: Shop, answer_store: AnswerStore, answers: Any, inquiries: int
) -> None:
    selection = with_answer_ids(session, _selection(answered, answers=answers), answer_store)
    summary = summarise(session, selection, LONDON, answered.type_labels())

    assert summary.totals["inquiries"] == inquiries
    assert int(summary.by_band["inquiries"].sum()) == inquiries


def test_filtered_counts(session: Session, answered: Shop, answer_store: AnswerStore) -> None:
    friends = _selection(answered, answers=(("heard_from", ("Friend",)),))

    assert _nonzero(_counts(session, answer_store, friends, "hair_type", HAIR)) == {
        "Straight": {"45-54": 1},
        "Wavy": {},
        "Curly": {"25-34": 1},
    }
