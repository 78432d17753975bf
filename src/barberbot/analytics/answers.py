"""Custom choice answers in the SQL answer store (`inquiry_answers`), counted by the database.

A single-choice answer is a JSON string, a multiple-choice answer a JSON list of strings.
`answer_has` is true when the answer to a question is, or includes, an option: SQLite tests it
with `json_each` (which yields a lone string as one row, and a list's items one by one), MariaDB
with `JSON_CONTAINS` (a string contains itself; a list contains its items). Counts per option
and age band are one grouped query per question, over the same rows as the other figures.

MongoDB keeps no answers in SQL. There the store finds, within the shown shops and period
(`AnswerScope`, indexed), the inquiry ids per option (`AnswerStore.choice_ids`) or those a
filter keeps (`AnswerStore.matching_ids`), and these id sets are joined with the SQL selection,
which has the age bands and the other filters: memory grows with the inquiries of the shown
shop and period, not with the whole store.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import replace
from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, case, exists, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from barberbot.analytics.bands import BAND_LABELS, band_expression
from barberbot.analytics.filters import Selection
from barberbot.forms.store import AnswerScope, AnswerStore
from barberbot.models import Inquiry, InquiryAnswers

AnswerFilters = tuple[tuple[str, tuple[str, ...]], ...]  # (question key, options), ...


class answer_has(FunctionElement[bool]):  # noqa: N801 - an SQL function, named like one
    """SQL: the answers document's `key` is `option`, or a list that includes it."""

    type = Boolean()
    name = "answer_has"
    inherit_cache = True


@compiles(answer_has, "sqlite")
def _answer_has_sqlite(element: answer_has, compiler: SQLCompiler, **kw: Any) -> str:
    answers, path, option = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"EXISTS (SELECT 1 FROM json_each({answers}, {path}) AS bb_je WHERE bb_je.value = {option})"
    )


@compiles(answer_has, "mysql")
@compiles(answer_has, "mariadb")
def _answer_has_mysql(element: answer_has, compiler: SQLCompiler, **kw: Any) -> str:
    answers, path, option = (compiler.process(c, **kw) for c in element.clauses)
    return f"COALESCE(JSON_CONTAINS({answers}, JSON_QUOTE({option}), {path}), 0) = 1"


def has_option(key: str, option: str, answers: Any = InquiryAnswers.answers) -> ColumnElement[bool]:
    """The answers document's answer to `key` is or includes `option`."""
    return answer_has(answers, literal(f"$.{key}"), literal(option))


def answers_condition(filters: AnswerFilters) -> ColumnElement[bool]:
    """SQL on Inquiry: for every question filtered, the answer includes one of its options."""
    document = aliased(InquiryAnswers)  # the counts below join the table themselves
    tests = [
        or_(*(has_option(key, option, document.answers) for option in options))
        for key, options in filters
    ]
    return exists(
        select(literal(1))
        .select_from(document)
        .where(document.inquiry_id == Inquiry.id, and_(*tests))
        .correlate(Inquiry)
    )


def scope_of(selection: Selection) -> AnswerScope:
    return AnswerScope(selection.shop_ids, selection.period.start, selection.period.end)


def with_answer_ids(session: Session, selection: Selection, store: AnswerStore) -> Selection:
    """The selection, its choice filters resolved to inquiry ids when the answers are not in
    SQL (MongoDB); as it is with the SQL answer store or no choice filter."""
    if store.in_database or not selection.answers:
        return selection
    ids = store.matching_ids(session, scope_of(selection), selection.answers)
    return replace(selection, answer_ids=frozenset(ids))


def choice_counts(
    session: Session,
    selection: Selection,
    key: str,
    options: tuple[str, ...],
    store: AnswerStore | None = None,
) -> dict[str, dict[str, int]]:
    """{option: {age band: inquiries}} of the selection whose answer to `key` includes the
    option; every option and band present, zero when none. One grouped query with the SQL
    answer store; with another (`store.in_database` false) see `_choice_counts_by_ids`."""
    from barberbot.analytics.queries import conditions  # queries imports this module

    if store is not None and not store.in_database:
        return _choice_counts_by_ids(session, selection, key, options, store)

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


def _choice_counts_by_ids(
    session: Session,
    selection: Selection,
    key: str,
    options: tuple[str, ...],
    store: AnswerStore,
) -> dict[str, dict[str, int]]:
    """The store's ids per option, counted per age band of the SQL selection's rows that have
    them (the selection's own id and band are read a chunk at a time)."""
    from barberbot.analytics.queries import conditions

    found = {option: dict.fromkeys(BAND_LABELS, 0) for option in options}
    if not options:
        return found
    per_option = store.choice_ids(session, scope_of(selection), key, options)
    answered: dict[uuid.UUID, list[str]] = {}
    for option, ids in per_option.items():
        for inquiry_id in ids:
            answered.setdefault(inquiry_id, []).append(option)
    if not answered:
        return found
    band = band_expression(Inquiry.age).label("age_band")
    query = select(Inquiry.id, band).where(*conditions(selection))
    tally: Counter[tuple[str, str]] = Counter()
    for rows in session.execute(query.execution_options(yield_per=5000)).partitions():
        for inquiry_id, age_band in rows:
            for option in answered.get(inquiry_id, ()):
                tally[(option, age_band)] += 1
    for (option, age_band), n in tally.items():
        found[option][age_band] = n
    return found
