"""Custom choice answers tested in SQL, on the answers table (`inquiry_answers`).

A single-choice answer is a JSON string, a multiple-choice answer a JSON list of strings.
`answer_has` is true when the answer to a question is, or includes, an option: SQLite tests it
with `json_each` (which yields a lone string as one row, and a list's items one by one), MariaDB
with `JSON_CONTAINS` (a string contains itself; a list contains its items). The dashboard's
filters and counts and the campaigns' segments share it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ColumnElement, and_, exists, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

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
    document = aliased(InquiryAnswers)  # the counts join the table themselves
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
