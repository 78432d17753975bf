"""The dashboard's filters as a URL query string, so a view can be bookmarked and shared."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from urllib.parse import parse_qs, urlencode

from barberbot.analytics.bands import BAND_LABELS
from barberbot.analytics.filters import PRESETS
from barberbot.core.choices import Gender
from barberbot.forms.schemas import KEY_PATTERN, OPTION_MAX, OPTIONS_MAX
from barberbot.inquiries.filters import within_years

ALL_SHOPS = "all"
CUSTOM = "custom"
# The latest-inquiries table's orders. The one chosen is kept in the URL's #fragment, beside the
# filters' query: a bookmark keeps it, and sorting one page of rows asks nothing of the server.
SORTS = {
    "received:desc": "Newest first",
    "received:asc": "Oldest first",
    "name:asc": "Name A-Z",
    "age:asc": "Youngest first",
    "age:desc": "Oldest customers first",
    "type:asc": "Inquiry type",
}
DEFAULT_SORT = "received:desc"


@dataclass(frozen=True)
class ViewState:
    shop: str = ALL_SHOPS  # a slug, or all of the user's shops
    period: str = "30d"  # a preset, or "custom" with start/end
    start: str | None = None  # YYYY-MM-DD
    end: str | None = None
    genders: list[str] = field(default_factory=list)
    age_bands: list[str] = field(default_factory=list)
    inquiry_types: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    # custom choice questions: key -> the options chosen ('?a.hair=curly&a.hair=wavy': an
    # option may hold a comma, so each is a parameter of its own)
    answers: dict[str, list[str]] = field(default_factory=dict)

    def start_date(self) -> date | None:
        return _date(self.start) if self.period == CUSTOM else None

    def end_date(self) -> date | None:
        return _date(self.end) if self.period == CUSTOM else None


_LISTS = {"gender": "genders", "age": "age_bands", "type": "inquiry_types", "location": "locations"}


def to_query(state: ViewState) -> str:
    """'?shop=demo&period=7d&gender=male,female' — defaults left out."""
    default = ViewState()
    params: dict[str, str] = {}
    values = asdict(state)
    for key in ("shop", "period", "start", "end"):
        if values[key] and values[key] != asdict(default)[key]:
            params[key] = values[key]
    for key, attribute in _LISTS.items():
        if values[attribute]:
            params[key] = ",".join(values[attribute])
    pairs: list[tuple[str, str]] = list(params.items())
    for key, options in sorted(state.answers.items()):
        pairs += [(ANSWER_PREFIX + key, option) for option in options]
    return "?" + urlencode(pairs, safe=",") if pairs else ""


def from_query(query: str | None) -> ViewState:
    """The view a URL names; values that are not valid are dropped, never trusted."""
    parsed = parse_qs((query or "").lstrip("?"))
    raw = {k: v[-1] for k, v in parsed.items()}
    period = raw.get("period", "30d")
    if period not in PRESETS and period != CUSTOM:
        period = "30d"
    start, end = _date(raw.get("start")), _date(raw.get("end"))
    if period == CUSTOM and (start is None or end is None):
        period = "30d"

    def listed(key: str, allowed: tuple[str, ...] | None = None) -> list[str]:
        items = [item for item in raw.get(key, "").split(",") if item]
        return [item for item in items if allowed is None or item in allowed]

    return ViewState(
        shop=raw.get("shop", ALL_SHOPS) or ALL_SHOPS,
        period=period,
        start=start.isoformat() if start and period == CUSTOM else None,
        end=end.isoformat() if end and period == CUSTOM else None,
        genders=listed("gender", tuple(g.value for g in Gender)),
        age_bands=listed("age", BAND_LABELS),
        inquiry_types=listed("type"),
        locations=listed("location"),
        answers=_answers(parsed),
    )


ANSWER_PREFIX = "a."
_KEY = re.compile(KEY_PATTERN)


def _answers(parsed: dict[str, list[str]]) -> dict[str, list[str]]:
    """The choice filters of a URL; whether the shop's form asks them is checked later."""
    found: dict[str, list[str]] = {}
    for name, options in parsed.items():
        key = name.removeprefix(ANSWER_PREFIX)
        if name.startswith(ANSWER_PREFIX) and _KEY.match(key):
            kept = [o for o in dict.fromkeys(options) if 0 < len(o) <= OPTION_MAX]
            if kept:
                found[key] = kept[:OPTIONS_MAX]
    return found


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return day if within_years(day) else None


def sort_from_hash(fragment: str | None) -> str:
    """The table's order a URL fragment names ('#sort=age:desc'); the default if none is valid."""
    raw = parse_qs((fragment or "").lstrip("#"))
    order = (raw.get("sort") or [DEFAULT_SORT])[-1]
    return order if order in SORTS else DEFAULT_SORT


def hash_for_sort(order: str | None) -> str:
    return "" if order in (None, DEFAULT_SORT) or order not in SORTS else f"#sort={order}"
