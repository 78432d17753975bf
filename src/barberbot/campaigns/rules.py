"""Segment rules: AND/OR groups of conditions on customers, checked with an error per field.

A rule is JSON, e.g.
    {"all": [{"field": "gender", "in": ["male"]},
             {"field": "age", "min": 25, "max": 34},
             {"any": [{"field": "inquiry_type", "in": ["beard_trim"], "within_days": 60},
                      {"field": "inquiry_count", "min": 3}]}]}
Each condition compiles itself to SQL (`sql.py`). New conditions register with `condition`,
and the parser and compiler pick them up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from barberbot.analytics.bands import BAND_LABELS
from barberbot.campaigns.errors import Invalid
from barberbot.core.choices import Gender
from barberbot.core.params import INT_MAX
from barberbot.inquiries.rules import field_errors

MAX_DEPTH = 4
MAX_CONDITIONS = 50


class RuleInvalid(Invalid):
    """A message per field of the rule."""


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    field: str
    name: ClassVar[str]


CONDITIONS: dict[str, type[Condition]] = {}
C = TypeVar("C", bound=type[Condition])


def condition(name: str) -> Callable[[C], C]:
    """Register a condition under its `field` name (the extension point for new ones)."""

    def register(cls: C) -> C:
        cls.name = name
        CONDITIONS[name] = cls
        return cls

    return register


class _Range(Condition):
    # bounded as a database INTEGER: a larger one overflows in the query, every time it runs
    min: int | None = Field(default=None, ge=0, le=INT_MAX)
    max: int | None = Field(default=None, ge=0, le=INT_MAX)

    @model_validator(mode="after")
    def _ordered(self) -> _Range:
        if self.min is None and self.max is None:
            raise ValueError("Give a min, a max or both.")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min must not be above max.")
        return self


@condition("age")
class AgeRange(_Range):
    field: Literal["age"] = "age"


@condition("inquiry_count")
class InquiryCount(_Range):
    field: Literal["inquiry_count"] = "inquiry_count"


@condition("age_band")
class AgeBands(Condition):
    field: Literal["age_band"] = "age_band"
    in_: list[str] = Field(alias="in", min_length=1)

    @model_validator(mode="after")
    def _known(self) -> AgeBands:
        unknown = [band for band in self.in_ if band not in BAND_LABELS]
        if unknown:
            raise ValueError(f"Unknown age band {unknown[0]!r}; use {', '.join(BAND_LABELS)}.")
        return self


@condition("gender")
class GenderIn(Condition):
    field: Literal["gender"] = "gender"
    in_: list[Gender] = Field(alias="in", min_length=1)


@condition("inquiry_type")
class InquiryTypes(Condition):
    """Asked about one of these types, ever or in the last `within_days` days."""

    field: Literal["inquiry_type"] = "inquiry_type"
    in_: list[str] = Field(alias="in", min_length=1)
    within_days: int | None = Field(default=None, ge=1, le=3650)


@condition("location")
class LocationIn(Condition):
    field: Literal["location"] = "location"
    in_: list[str] = Field(alias="in", min_length=1)


class _Dates(Condition):
    after: date | None = None  # inclusive, in the shop's time zone
    before: date | None = None  # exclusive
    within_days: int | None = Field(default=None, ge=1, le=3650)
    more_than_days_ago: int | None = Field(default=None, ge=1, le=3650)

    @model_validator(mode="after")
    def _some(self) -> _Dates:
        if all(
            v is None for v in (self.after, self.before, self.within_days, self.more_than_days_ago)
        ):
            raise ValueError("Give after, before, within_days or more_than_days_ago.")
        if self.after and self.before and self.after >= self.before:
            raise ValueError("after must be before before.")
        return self


@condition("first_inquiry")
class FirstInquiry(_Dates):
    field: Literal["first_inquiry"] = "first_inquiry"


@condition("last_inquiry")
class LastInquiry(_Dates):
    field: Literal["last_inquiry"] = "last_inquiry"


@condition("consent")
class ConsentOn(Condition):
    """Gave (and did not withdraw) marketing consent on this channel."""

    field: Literal["consent"] = "consent"
    channel: Literal["email", "sms"]


@condition("answer")
class AnswerIn(Condition):
    """Answered the custom choice question `key` with one of these options in at least one
    inquiry. Checked against the shop's current form by `segments.check_answers`."""

    field: Literal["answer"] = "answer"
    key: str = Field(min_length=1, max_length=40)
    in_: list[str] = Field(alias="in", min_length=1)


@condition("yes_no")
class AnswerYesNo(Condition):
    """Answered the custom yes/no question `key` with `answered` in at least one inquiry.
    Checked against the shop's current form by `segments.check_answers`."""

    field: Literal["yes_no"] = "yes_no"
    key: str = Field(min_length=1, max_length=40)
    answered: Literal["yes", "no"]


ANSWER_CONDITIONS = (AnswerIn, AnswerYesNo)  # need the SQL answer store and the shop's form


@dataclass(frozen=True)
class Group:
    op: Literal["and", "or"]
    parts: tuple[Group | Condition, ...]


Rule = Group | Condition


def parse(raw: Any) -> Rule:
    """Check a rule; raises RuleInvalid with a message per path like 'all.1.min'."""
    errors: dict[str, str] = {}
    counter = [0]
    rule = _parse(raw, "rule", errors, 0, counter)
    if counter[0] > MAX_CONDITIONS:
        errors.setdefault("rule", f"At most {MAX_CONDITIONS} conditions in a segment.")
    if errors or rule is None:
        raise RuleInvalid(errors or {"rule": "Not a rule."})
    return rule


def _parse(
    raw: Any, path: str, errors: dict[str, str], depth: int, counter: list[int]
) -> Rule | None:
    if not isinstance(raw, dict):
        errors[path] = 'A rule is an object: {"all": [...]}, {"any": [...]} or a condition.'
        return None
    groups = [key for key in ("all", "any") if key in raw]
    if groups:
        key = groups[0]
        if len(raw) != 1:
            errors[path] = f'A group has only "{key}" and its list of rules.'
            return None
        if depth >= MAX_DEPTH:
            errors[path] = f"Groups nest at most {MAX_DEPTH} deep."
            return None
        items = raw[key]
        if not isinstance(items, list) or not items:
            errors[f"{path}.{key}"] = "A group needs a list of at least one rule."
            return None
        parts = [
            _parse(item, f"{path}.{key}.{i}", errors, depth + 1, counter)
            for i, item in enumerate(items)
        ]
        if any(part is None for part in parts):
            return None
        return Group("and" if key == "all" else "or", tuple(p for p in parts if p is not None))
    counter[0] += 1
    name = raw.get("field")
    cls = CONDITIONS.get(name) if isinstance(name, str) else None
    if cls is None:
        errors[f"{path}.field"] = (
            f"Unknown condition {name!r}; use one of: {', '.join(sorted(CONDITIONS))}."
        )
        return None
    try:
        return cls.model_validate(raw)
    except ValidationError as error:
        for field, message in field_errors(error.errors()).items():
            name = "in" if field.startswith("in_") else field
            errors[f"{path}.{name}" if name != "request" else path] = message
        return None


def conditions_with_paths(rule: Rule, path: str = "rule") -> list[tuple[str, Condition]]:
    """Every condition of a rule with its error path, as `parse` names them."""
    if isinstance(rule, Group):
        key = "all" if rule.op == "and" else "any"
        return [
            found
            for i, part in enumerate(rule.parts)
            for found in conditions_with_paths(part, f"{path}.{key}.{i}")
        ]
    return [(path, rule)]


def dump(rule: Rule) -> dict[str, Any]:
    if isinstance(rule, Group):
        return {"all" if rule.op == "and" else "any": [dump(part) for part in rule.parts]}
    return rule.model_dump(mode="json", by_alias=True, exclude_none=True)
