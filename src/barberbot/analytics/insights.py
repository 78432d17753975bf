"""Plain-language findings from the numbers, each with the segment a campaign could target."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from barberbot.analytics.filters import Selection

MIN_SEGMENT = 5  # inquiries, in one period or the other, before a change is worth a sentence
MIN_CHANGE = 0.2
PEOPLE = {
    "male": "men",
    "female": "women",
    "non_binary": "non-binary customers",
    "other": "customers who describe their gender in their own words",
    "prefer_not_to_say": "customers who preferred not to say their gender",
}


@dataclass(frozen=True)
class Insight:
    text: str
    # what a campaign would target: any of inquiry_type, gender, age_band, shop_id, location
    segment: dict[str, str] = field(default_factory=dict)
    within_days: int | None = None  # the period the inquiry type was asked about in

    @property
    def rule(self) -> dict[str, Any] | None:
        """The campaigns segment rule (campaigns/rules.py) for `segment`, None without one.
        The shop is the segment page's own, so `shop_id` adds no condition."""
        conditions: list[dict[str, Any]] = []
        if "gender" in self.segment:
            conditions.append({"field": "gender", "in": [self.segment["gender"]]})
        if "age_band" in self.segment:
            conditions.append({"field": "age_band", "in": [self.segment["age_band"]]})
        if "inquiry_type" in self.segment:
            asked: dict[str, Any] = {"field": "inquiry_type", "in": [self.segment["inquiry_type"]]}
            if self.within_days is not None:
                asked["within_days"] = self.within_days
            conditions.append(asked)
        if self.segment.get("location"):
            conditions.append({"field": "location", "in": [self.segment["location"]]})
        if not conditions:
            return None
        return conditions[0] if len(conditions) == 1 else {"all": conditions}


class Figures(Protocol):
    """The figures findings are read from: a `summary.Summary`, which holds its findings (so
    this module only names what it reads of one)."""

    selection: Selection
    type_labels: dict[str, str]
    totals: dict[str, int]
    previous: dict[str, int]
    by_type: pd.DataFrame
    by_location: pd.DataFrame

    @property
    def empty(self) -> bool: ...

    @property
    def consent_rate(self) -> float | None: ...

    def busiest(self) -> tuple[str, int] | None: ...


def find_insights(
    summary: Figures, segments_now: pd.DataFrame, segments_before: pd.DataFrame
) -> list[Insight]:
    if summary.empty:
        return []
    days = round(summary.selection.period.days)
    found = [_overall(summary, days)]
    found += _segment_changes(summary, segments_now, segments_before, days)
    found.append(_top_type(summary, days))
    found.append(_busiest_place(summary, days))
    busiest = summary.busiest()
    if busiest is not None:
        weekday, hour = busiest
        found.append(Insight(f"Busiest time: {weekday}s {hour:02d}:00-{(hour + 1) % 24:02d}:00."))
    rate = summary.consent_rate
    if rate is not None:
        found.append(
            Insight(
                f"{rate:.0%} of inquiries agreed to marketing "
                f"({summary.totals['consenting']} inquiries you may contact)."
            )
        )
    return [insight for insight in found if insight.text]


def _overall(summary: Figures, days: int) -> Insight:
    now, before = summary.totals["inquiries"], summary.previous["inquiries"]
    if before == 0:
        return Insight(f"{now} inquiries in the last {days} days; none in the {days} before.")
    return Insight(
        f"Inquiries are {_direction(now / before - 1)} on the previous {days} days "
        f"({now} against {before})."
    )


def _segment_changes(
    summary: Figures, now: pd.DataFrame, before: pd.DataFrame, days: int, most: int = 3
) -> list[Insight]:
    keys = ["inquiry_type", "gender", "age_band"]
    merged = now.merge(before, on=keys, how="outer", suffixes=("_now", "_before")).fillna(0)
    merged = merged[(merged["inquiries_now"] >= MIN_SEGMENT)]
    merged = merged[merged["inquiries_before"] >= MIN_SEGMENT]
    merged["change"] = merged["inquiries_now"] / merged["inquiries_before"] - 1
    merged = merged[merged["change"].abs() >= MIN_CHANGE]
    merged["moved"] = (merged["inquiries_now"] - merged["inquiries_before"]).abs()
    insights = []
    for row in merged.sort_values("moved", ascending=False).head(most).to_dict("records"):
        segment = {key: str(row[key]) for key in keys}
        label = summary.type_labels.get(segment["inquiry_type"], segment["inquiry_type"])
        people = PEOPLE.get(segment["gender"], segment["gender"])
        insights.append(
            Insight(
                f"{label} inquiries from {people} {segment['age_band']} are "
                f"{_direction(float(row['change']))} on the previous {days} days.",
                segment,
                min(max(days, 1), 3650),
            )
        )
    return insights


def _top_type(summary: Figures, days: int) -> Insight:
    top = summary.by_type.iloc[0]
    share = top["inquiries"] / summary.totals["inquiries"]
    return Insight(
        f"{top['label']} is what customers ask about most ({share:.0%} of inquiries).",
        {"inquiry_type": str(top["inquiry_type"])},
        min(max(days, 1), 3650),
    )


def _busiest_place(summary: Figures, days: int) -> Insight:
    """Where most inquiries went, when the view spans more than one shop or location."""
    places = summary.by_location
    if len(places) < 2:
        return Insight("")
    top = places.iloc[0]
    change = top["change"]
    versus = (
        f"none in the previous {days} days"
        if pd.isna(change)
        else f"{_direction(float(change))} on the previous {days} days"
    )
    return Insight(
        f"{place_name(top['shop'], top['location'])} had the most inquiries: "
        f"{top['inquiries']} of {summary.totals['inquiries']} ({top['share']:.0%}), {versus}.",
        {"shop_id": str(top["shop_id"]), "location": str(top["location"])},
    )


def place_name(shop: str, location: str) -> str:
    return f"{shop} ({location})" if location else shop


def _direction(change: float) -> str:
    if abs(change) < 0.005:
        return "level"
    return f"{'up' if change > 0 else 'down'} {abs(change):.0%}"
