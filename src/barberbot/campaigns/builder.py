"""The segment builder: a plain form of ticks and numbers that writes a segment rule.

Owners pick who they mean (age, gender, what they asked about and when, how often they come,
when they last came, where, consent, their answers to the shop's choice and yes/no questions)
and the builder turns the form into the rule JSON of `rules.py`: every filled-in part is one
condition, all of them must hold. OR groups and nesting stay for the JSON editor beside it.
The way back, `fields_of`, prefills the form from a rule (a dashboard insight's link) when the
rule is one the form can show, so an owner never has to read JSON they did not write.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from barberbot.analytics.bands import BAND_LABELS
from barberbot.core.choices import Gender
from barberbot.forms.definition import FormDefinition
from barberbot.forms.schemas import FieldType

# the form's single-value inputs: (name, rule field, rule key)
NUMBERS = (
    ("age_min", "age", "min"),
    ("age_max", "age", "max"),
    ("visits_min", "inquiry_count", "min"),
    ("last_within_days", "last_inquiry", "within_days"),
    ("away_days", "last_inquiry", "more_than_days_ago"),
)
LISTS = ("age_band", "gender", "inquiry_type", "location")  # ticked options, by rule field
ANSWER_PREFIX = "answer."  # answer.<question key>: ticked options of a choice question
YES_NO_PREFIX = "yes_no."  # yes_no.<question key>: "yes", "no" or "" (either) of a yes/no one
NUMBER_TOO_BIG = 3650
_DIGITS = re.compile(r"[0-9]{1,4}")  # ASCII only: "²".isdigit() is true, but int() refuses it
FIXED_INPUTS = ("name", "consent", "type_within_days", *(n for n, _, _ in NUMBERS))


Options = Sequence[tuple[str, str]]  # (value, label) of each tick box


@dataclass(frozen=True)
class Choices:
    """What the form offers for one shop, as (value, label) pairs."""

    inquiry_types: Options
    locations: Options
    questions: Sequence[tuple[str, str, Options]]  # choice questions: key, label, options
    yes_no: Options = ()  # yes/no questions: key, label
    bands: Options = tuple((band, band) for band in BAND_LABELS)
    genders: Options = tuple((g.value, g.label) for g in Gender)

    def offered(self) -> dict[str, set[str] | None]:
        """Every input the form draws, with the values it offers (None: a number or text)."""
        inputs: dict[str, set[str] | None] = dict.fromkeys(FIXED_INPUTS)
        lists = {"age_band": self.bands, "gender": self.genders,
                 "inquiry_type": self.inquiry_types, "location": self.locations}  # fmt: skip
        inputs |= {name: {value for value, _ in options} for name, options in lists.items()}
        inputs["consent"] = {"", "email", "sms"}
        for key, _, options in self.questions:
            inputs[ANSWER_PREFIX + key] = {value for value, _ in options}
        for key, _ in self.yes_no:
            inputs[YES_NO_PREFIX + key] = {"", "yes", "no"}
        return inputs

    def placed(self, errors: Mapping[str, str]) -> dict[str, str]:
        """The errors beside the inputs the page draws; one about an input it does not draw
        (a question retired since the page was loaded) goes at the top of the form."""
        drawn = self.offered()
        placed: dict[str, str] = {}
        for name, message in errors.items():
            placed.setdefault(name if name in drawn else "rule", message)
        return placed


def choices_for(
    type_labels: Mapping[str, str], locations: Sequence[str], form: FormDefinition
) -> Choices:
    return Choices(
        inquiry_types=list(type_labels.items()),
        locations=[(location, location) for location in sorted(locations)],
        questions=[
            (f.key, f.label, [(option, option) for option in f.options])
            for f in form.asked
            if f.type.has_options
        ],
        yes_no=[(f.key, f.label) for f in form.asked if f.type == FieldType.YES_NO],
    )


@dataclass
class BuiltRule:
    """The rule a filled-in form makes, with the form input each condition came from."""

    rule: dict[str, Any]
    sources: list[str] = field(default_factory=list)  # per condition: its form input's name
    errors: dict[str, str] = field(default_factory=dict)  # per form input, before any rule

    def input_errors(self, rule_errors: Mapping[str, str]) -> dict[str, str]:
        """The rule checker's messages ('rule.all.2.max') put beside the form's inputs."""
        placed: dict[str, str] = {}
        for path, message in rule_errors.items():
            parts = path.split(".")
            if len(parts) >= 3 and parts[:2] == ["rule", "all"] and parts[2].isdigit():
                index = int(parts[2])
                name = self.sources[index] if index < len(self.sources) else "rule"
            else:
                name = "name" if path == "name" else "rule"
            placed.setdefault(name, message)
        return placed


def build(form: Mapping[str, Sequence[str]]) -> BuiltRule:
    """The rule of a submitted builder form (each input's values as a list, as posted)."""
    built = BuiltRule({"all": []})
    numbers = {name: _number(form, name, built.errors) for name, _, _ in NUMBERS}
    _add_range(built, "age", numbers["age_min"], numbers["age_max"], "age_min")
    for name in LISTS:
        _add_ticked(built, form, name, name)
    for name, rule_field, key in NUMBERS[2:]:  # after the age range: one condition each
        if numbers[name] is not None:
            _add(built, {"field": rule_field, key: numbers[name]}, name)
    for key in _keys(form, ANSWER_PREFIX):
        _add_ticked(built, form, ANSWER_PREFIX + key, "answer", {"key": key})
    for key in _keys(form, YES_NO_PREFIX):
        answered = _first(form, YES_NO_PREFIX + key)
        if answered in ("yes", "no"):
            _add(built, {"field": "yes_no", "key": key, "answered": answered}, YES_NO_PREFIX + key)
    consent = _first(form, "consent")
    if consent in ("email", "sms"):
        _add(built, {"field": "consent", "channel": consent}, "consent")
    if _first(form, "type_within_days") and not _ticked(form, "inquiry_type"):
        built.errors["type_within_days"] = "Tick what they asked about too, or leave this empty."
    if not built.rule["all"] and not built.errors:
        built.errors["rule"] = "Tick or fill in at least one thing these customers have in common."
    return built


def _add_ticked(
    built: BuiltRule,
    form: Mapping[str, Sequence[str]],
    name: str,
    rule_field: str,
    extra: dict[str, Any] | None = None,
) -> None:
    values = _ticked(form, name)
    if not values:
        return
    condition: dict[str, Any] = {"field": rule_field, **(extra or {}), "in": values}
    if rule_field == "inquiry_type":
        within = _number(form, "type_within_days", built.errors)
        if within is not None:
            condition["within_days"] = within
    _add(built, condition, name)


def _keys(form: Mapping[str, Sequence[str]], prefix: str) -> list[str]:
    """The question keys of the form's inputs named prefix + key."""
    return sorted(name.removeprefix(prefix) for name in form if name.startswith(prefix))


def _add(built: BuiltRule, condition: dict[str, Any], source: str) -> None:
    built.rule["all"].append(condition)
    built.sources.append(source)


def _add_range(
    built: BuiltRule, rule_field: str, low: int | None, high: int | None, source: str
) -> None:
    if low is None and high is None:
        return
    condition: dict[str, Any] = {"field": rule_field}
    if low is not None:
        condition["min"] = low
    if high is not None:
        condition["max"] = high
    _add(built, condition, source)


def _first(form: Mapping[str, Sequence[str]], name: str) -> str:
    values = form.get(name) or []
    return values[0].strip() if values else ""


def _ticked(form: Mapping[str, Sequence[str]], name: str) -> list[str]:
    seen: list[str] = []
    for value in form.get(name) or []:
        if value and value not in seen:
            seen.append(value)
    return seen


def _number(form: Mapping[str, Sequence[str]], name: str, errors: dict[str, str]) -> int | None:
    text = _first(form, name)
    if not text:
        return None
    if not _DIGITS.fullmatch(text) or int(text) > NUMBER_TOO_BIG:
        errors[name] = f"Enter a whole number from 0 to {NUMBER_TOO_BIG}."
        return None
    return int(text)


def fields_of(rule: Any, choices: Choices) -> dict[str, list[str]] | None:
    """The builder form that makes `rule`, or None when only the JSON editor can show it
    (OR groups, nesting, dates, a condition twice, a value the form has no tick box for)."""
    if isinstance(rule, dict) and "field" in rule:
        rule = {"all": [rule]}
    if not isinstance(rule, dict) or set(rule) != {"all"} or not isinstance(rule["all"], list):
        return None
    form: dict[str, list[str]] = {}
    for condition in rule["all"]:
        if not isinstance(condition, dict) or not _fill(form, condition):
            return None
    offered = choices.offered()
    for name, values in form.items():
        if name not in offered:
            return None
        allowed = offered[name]
        if allowed is not None and not set(values) <= allowed:
            return None
    return form


def _fill(form: dict[str, list[str]], condition: dict[str, Any]) -> bool:
    """Put one condition into the form; False if the form cannot hold it."""
    name, rest = condition.get("field"), {k: v for k, v in condition.items() if k != "field"}
    wanted: dict[str, list[str]] = {}
    if name in LISTS and isinstance(rest.get("in"), list):
        wanted[name] = [str(v) for v in rest.pop("in")]
        if name == "inquiry_type" and "within_days" in rest:
            wanted["type_within_days"] = [str(rest.pop("within_days"))]
    elif name == "answer" and isinstance(rest.get("in"), list) and "key" in rest:
        wanted[ANSWER_PREFIX + str(rest.pop("key"))] = [str(v) for v in rest.pop("in")]
    elif name == "yes_no" and rest.get("answered") in ("yes", "no") and "key" in rest:
        wanted[YES_NO_PREFIX + str(rest.pop("key"))] = [str(rest.pop("answered"))]
    elif name == "consent" and rest.get("channel") in ("email", "sms"):
        wanted["consent"] = [str(rest.pop("channel"))]
    else:
        for input_name, rule_field, key in NUMBERS:
            if rule_field == name and key in rest:
                wanted[input_name] = [str(rest.pop(key))]
    if rest or not wanted or any(key in form for key in wanted):
        return False
    form.update(wanted)
    return True
