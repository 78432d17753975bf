"""Saved segments: create, change, count and sample. Services flush; the edge commits."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.campaigns import rules, sql
from barberbot.forms import service as forms
from barberbot.forms.schemas import FieldType
from barberbot.models import Customer, Segment, Shop
from barberbot.models.base import utcnow

SAMPLE = 10


@dataclass(frozen=True)
class Preview:
    count: int
    sample: Sequence[Customer]


def context(shop: Shop, now: datetime | None = None, *, answers_in_sql: bool = True) -> sql.Context:
    return sql.Context(shop.id, ZoneInfo(shop.timezone), now or utcnow(), answers_in_sql)


def check_answers(
    session: Session, shop: Shop, rule: rules.Rule, *, answers_in_sql: bool = True
) -> rules.Rule:
    """Answer conditions name a question of the shop's current form of their kind (choice or
    yes/no) and, for choices, its options; with the MongoDB answer store they are refused.
    Raises RuleInvalid, a message per path."""
    found = [
        (p, c)
        for p, c in rules.conditions_with_paths(rule)
        if isinstance(c, rules.ANSWER_CONDITIONS)
    ]
    if not found:
        return rule
    if not answers_in_sql:
        raise rules.RuleInvalid({path: sql.ANSWERS_IN_MONGODB for path, _ in found})
    asked = forms.current(session, shop).asked
    questions = {f.key: f for f in asked if f.type.has_options}
    yes_nos = {f.key for f in asked if f.type == FieldType.YES_NO}
    errors: dict[str, str] = {}
    for path, answer in found:
        if isinstance(answer, rules.AnswerYesNo):
            if answer.key not in yes_nos:
                errors[f"{path}.key"] = (
                    f"No yes/no question {answer.key!r} in the shop's form; "
                    f"yes/no questions: {', '.join(sorted(yes_nos)) or 'none'}."
                )
            continue
        question = questions.get(answer.key)
        if question is None:
            known = ", ".join(sorted(questions)) or "none"
            errors[f"{path}.key"] = (
                f"No choice question {answer.key!r} in the shop's form; choice questions: {known}."
            )
            continue
        unknown = [option for option in answer.in_ if option not in question.options]
        if unknown:
            errors[f"{path}.in"] = (
                f"{unknown[0]!r} is not an option of {answer.key!r}; "
                f"use {', '.join(question.options)}."
            )
    if errors:
        raise rules.RuleInvalid(errors)
    return rule


def parse(
    session: Session, shop: Shop, raw_rule: Any, *, answers_in_sql: bool = True
) -> rules.Rule:
    """A rule checked as JSON and against the shop's form."""
    return check_answers(session, shop, rules.parse(raw_rule), answers_in_sql=answers_in_sql)


def preview(
    session: Session,
    shop: Shop,
    rule: rules.Rule,
    *,
    sample: int = SAMPLE,
    answers_in_sql: bool = True,
) -> Preview:
    where = sql.where(rule, context(shop, answers_in_sql=answers_in_sql))
    count = session.scalar(select(func.count()).select_from(Customer).where(where)) or 0
    rows = session.scalars(
        select(Customer)
        .where(where)
        .order_by(Customer.last_inquiry_at.desc(), Customer.id.desc())
        .limit(sample)
    ).all()
    return Preview(count, rows)


def _check_name(session: Session, shop: Shop, name: str, segment_id: int | None) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise rules.RuleInvalid({"name": "A segment needs a name of 1 to 120 characters."})
    clash = session.scalar(
        select(Segment.id).where(Segment.shop_id == shop.id, Segment.name == name)
    )
    if clash is not None and clash != segment_id:
        raise rules.RuleInvalid({"name": f"There is already a segment called {name!r}."})
    return name


def create(
    session: Session, shop: Shop, name: str, raw_rule: Any, *, answers_in_sql: bool = True
) -> Segment:
    rule = parse(session, shop, raw_rule, answers_in_sql=answers_in_sql)
    segment = Segment(
        shop_id=shop.id, name=_check_name(session, shop, name, None), rule=rules.dump(rule)
    )
    session.add(segment)
    session.flush()
    return segment


def update(
    session: Session, segment: Segment, name: str, raw_rule: Any, *, answers_in_sql: bool = True
) -> Segment:
    shop = session.get(Shop, segment.shop_id)
    assert shop is not None
    segment.rule = rules.dump(parse(session, shop, raw_rule, answers_in_sql=answers_in_sql))
    segment.name = _check_name(session, shop, name, segment.id)
    segment.updated_at = utcnow()
    session.flush()
    return segment


def get(session: Session, shop: Shop, segment_id: int) -> Segment | None:
    segment = session.get(Segment, segment_id)
    return segment if segment is not None and segment.shop_id == shop.id else None


def all_of(session: Session, shop: Shop) -> Sequence[Segment]:
    return session.scalars(
        select(Segment).where(Segment.shop_id == shop.id).order_by(Segment.name)
    ).all()


def locations(session: Session, shop: Shop) -> list[str]:
    """Where the shop's customers last came in: what a location condition can name."""
    query = (
        select(Customer.location)
        .where(Customer.shop_id == shop.id, Customer.location.is_not(None))
        .distinct()
    )
    return sorted(str(location) for location in session.scalars(query))


def rule_of(segment: Segment) -> rules.Rule:
    return rules.parse(segment.rule)


def page_url(slug: str, rule: dict[str, Any], name: str = "") -> str:
    """The segment page with a new segment prefilled (what the dashboard's insights link to)."""
    query = {"rule": json.dumps(rule, separators=(",", ":"))} | ({"name": name} if name else {})
    return f"/shops/{slug}/campaigns?{urlencode(query)}#new-segment"
