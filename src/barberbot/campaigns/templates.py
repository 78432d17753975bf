"""Owner-written subject and body templates: Jinja in a sandbox, checked before any send.

Fields: first_name, name, shop_name, promo_code, form_url (the campaign's tracked link to the
form) and unsubscribe_url; `check` takes other fields for other messages (the inbox's saved
replies). `{{ first_name | default("there", true) }}` is a fallback. Only
fields, text, if/else, comparisons and a few filters are accepted (no loops, calls, attributes
or arithmetic), checked on the parsed template; the sandbox and the absence of a loader are a
second line. Customer data is only ever a value, never a template.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from barberbot.campaigns.errors import Invalid

FIELDS = ("first_name", "name", "shop_name", "promo_code", "form_url", "unsubscribe_url")
SUBJECT_MAX = 200
BODY_MAX = 5000
SMS_MAX = 640  # four segments

_env = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True
)
_env.globals.clear()  # Jinja's own (lipsum, range, cycler...): a message has only its fields


class TemplateInvalid(Invalid):
    """A message per field of the rule."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def check(field: str, source: str, fields: Sequence[str] = FIELDS) -> None:
    """A clear message for a syntax error or a field not among `fields` (a campaign's, unless
    given: the inbox's saved replies have their own); nothing is sent before this."""
    try:
        parsed = _env.parse(source)
    except TemplateSyntaxError as error:
        raise TemplateInvalid(
            {field: f"Line {error.lineno}: {str(error.message).rstrip('.')}."}
        ) from None
    refused = _refused(parsed)
    if refused:
        raise TemplateInvalid({field: refused})
    unknown = sorted(meta.find_undeclared_variables(parsed) - set(fields))
    if unknown:
        raise TemplateInvalid(
            {field: f"Unknown field {unknown[0]!r}; you can use: {', '.join(fields)}."}
        )
    try:  # a trial run with sample values catches sandbox refusals and bad filters
        _env.from_string(source).render(_sample(fields))
    except (SecurityError, TemplateError, TypeError, ValueError) as error:
        raise TemplateInvalid(
            {field: f"This template cannot be used: {str(error).rstrip('.')}."}
        ) from None


# Fields, text, if/else, comparisons and a few filters: no loops, calls or arithmetic, so a
# message can neither run code nor take the server's time or memory (10**9 * "x").
ALLOWED_NODES: tuple[type[nodes.Node], ...] = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const, nodes.Filter,
    nodes.If, nodes.CondExpr, nodes.And, nodes.Or, nodes.Not, nodes.Compare, nodes.Operand,
    nodes.Concat, nodes.Keyword,
)  # fmt: skip
ALLOWED_FILTERS = frozenset({"default", "d", "upper", "lower", "title", "capitalize", "trim"})
_FILTER_LIST = ", ".join(sorted(ALLOWED_FILTERS))
_WHAT = {
    "For": "A loop ({% for %})",
    "Call": "A call",
    "Getattr": "An attribute",
    "Getitem": "An index",
    "Include": "{% include %}",
    "Import": "{% import %}",
    "FromImport": "{% import %}",
    "Extends": "{% extends %}",
    "Macro": "A macro",
    "Assign": "{% set %}",
    **dict.fromkeys(("Add", "Sub", "Mul", "Div", "FloorDiv", "Mod", "Pow", "Neg", "Pos"),
                    "Arithmetic"),
}  # fmt: skip


def _refused(parsed: nodes.Template) -> str | None:
    for node in parsed.find_all(nodes.Node):
        if not isinstance(node, ALLOWED_NODES):
            what = _WHAT.get(type(node).__name__, f"{type(node).__name__} (here)")
            return (
                f"{what} cannot be used in a message: use fields, {{% if %}}...{{% else %}}..."
                f"{{% endif %}} and the filters {_FILTER_LIST}."
            )
        if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
            return f"The filter {node.name!r} cannot be used; use {_FILTER_LIST}."
    return None


_SAMPLES = {
    "first_name": "Sam",
    "name": "Sam Sample",
    "shop_name": "Shop",
    "promo_code": "CODE",
    "form_url": "https://example.com/form",
    "unsubscribe_url": "https://example.com/u",
}


def _sample(fields: Sequence[str]) -> dict[str, str]:
    return {name: _SAMPLES.get(name, "Sample") for name in fields}


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> Template:
    return _env.from_string(source)


def render(source: str, values: Mapping[str, str]) -> str:
    return _compiled(source).render(dict(values))


def render_message(subject: str, body: str, values: Mapping[str, str]) -> Rendered:
    # one line: a customer's name can never add headers
    line = " ".join(render(subject, values).split())
    return Rendered(line, render(body, values))
