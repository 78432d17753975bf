"""The dashboard's figures on custom choice answers, asked of whichever store keeps them.

With the SQL answer store (`inquiry_answers`) the database does it all: a choice filter is a
condition of the selection (`answer_sql.answers_condition`, in `queries.conditions`) and the
counts per option and age band are one grouped query per question, over the same rows as the
other figures. MongoDB keeps no answers in SQL: `answers_mongo` finds the inquiry ids there and
joins them with the SQL selection. The answer stores themselves (`forms.store`) only save, read
and forget documents.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from barberbot.analytics.answer_sql import has_option
from barberbot.analytics.bands import BAND_LABELS, band_expression
from barberbot.analytics.filters import Selection
from barberbot.analytics.queries import conditions
from barberbot.forms.store import AnswerStore
from barberbot.models import Inquiry, InquiryAnswers

ChoiceCounts = dict[str, dict[str, int]]  # {option: {age band: inquiries}}


class AnswerQueries(Protocol):
    """The answer figures of one kind of answer store."""

    def with_answer_ids(self, session: Session, selection: Selection) -> Selection:
        """The selection, its choice filters made something the SQL figures can test."""
        ...

    def choice_counts(
        self, session: Session, selection: Selection, key: str, options: tuple[str, ...]
    ) -> ChoiceCounts:
        """{option: {age band: inquiries}} of the selection whose answer to `key` includes
        the option; every option and band present, zero when none."""
        ...


class SqlAnswerQueries:
    """The answers in the SQL table, beside the inquiries."""

    def with_answer_ids(self, session: Session, selection: Selection) -> Selection:
        return selection  # the choice filters are SQL conditions as they are

    def choice_counts(
        self, session: Session, selection: Selection, key: str, options: tuple[str, ...]
    ) -> ChoiceCounts:
        band = band_expression(Inquiry.age).label("age_band")
        sums = [
            func.sum(case((has_option(key, option), 1), else_=0)).label(f"o{i}")
            for i, option in enumerate(options)
        ]
        query = (
            select(band, *sums)
            .select_from(Inquiry)
            .join(InquiryAnswers, InquiryAnswers.inquiry_id == Inquiry.id)
            .where(*conditions(selection))
            .group_by(band)
        )
        found = {option: dict.fromkeys(BAND_LABELS, 0) for option in options}
        if not options:
            return found
        for row in session.execute(query):
            for i, option in enumerate(options):
                found[option][row[0]] = int(row[i + 1] or 0)
        return found


def queries_for(store: AnswerStore | None) -> AnswerQueries:
    """The answer figures of this store (None: the SQL table)."""
    if store is None or store.in_database:
        return SqlAnswerQueries()
    # pymongo only when configured
    from barberbot.analytics.answers_mongo import MongoAnswerQueries
    from barberbot.forms.mongo import MongoAnswerStore

    if not isinstance(store, MongoAnswerStore):
        raise TypeError(f"no answer figures for {type(store).__name__}")
    return MongoAnswerQueries(store.collection)


def with_answer_ids(session: Session, selection: Selection, store: AnswerStore) -> Selection:
    """The selection, its choice filters resolved to inquiry ids when the answers are not in
    SQL (MongoDB); as it is with the SQL answer store or no choice filter."""
    if not selection.answers:
        return selection
    return queries_for(store).with_answer_ids(session, selection)


def choice_counts(
    session: Session,
    selection: Selection,
    key: str,
    options: tuple[str, ...],
    store: AnswerStore | None = None,
) -> ChoiceCounts:
    """{option: {age band: inquiries}} of the selection whose answer to `key` includes the
    option; every option and band present, zero when none."""
    return queries_for(store).choice_counts(session, selection, key, options)
