"""Plotly figures for a summary, each readable on a phone.

Written as plain figure dicts: Dash sends them as they are, and building `go.Figure` objects
(with a template to deep-copy and every property validated) cost more than the queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from barberbot.analytics.summary import Summary

ACCENT = "#1f5f8b"
PALETTE = ["#1f5f8b", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#2e4057"]
Figure = dict[str, Any]


def _figure(data: list[dict[str, Any]], title: str, **layout: Any) -> Figure:
    base = {
        "title": {"text": title, "x": 0, "font": {"size": 16}},
        "margin": {"l": 40, "r": 10, "t": 40, "b": 40},
        "height": 300,
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "xaxis": {"gridcolor": "#e5e9ee"},
        "yaxis": {"gridcolor": "#e5e9ee", "rangemode": "tozero"},
        "showlegend": False,
    }
    return {"data": data, "layout": base | layout}


def _values(column: Any) -> list[Any]:
    return [value.isoformat() if hasattr(value, "isoformat") else value for value in column]


def age_histogram(summary: Summary) -> Figure:
    frame = summary.by_age
    bar = {"type": "bar", "x": _values(frame["age"]), "y": _values(frame["inquiries"]),
           "marker": {"color": ACCENT}}  # fmt: skip
    return _figure([bar], "Ages", xaxis={"title": {"text": "age"}, "gridcolor": "#e5e9ee"})


def age_bands(summary: Summary) -> Figure:
    frame = summary.by_band
    bar = {"type": "bar", "x": _values(frame["age_band"]), "y": _values(frame["inquiries"]),
           "marker": {"color": ACCENT}}  # fmt: skip
    return _figure([bar], "Age bands")


def genders(summary: Summary) -> Figure:
    frame = summary.by_gender[summary.by_gender["inquiries"] > 0]
    pie = {"type": "pie", "labels": _values(frame["label"]), "values": _values(frame["inquiries"]),
           "hole": 0.5, "marker": {"colors": PALETTE}, "sort": False,
           "texttemplate": "%{percent:.0%}"}  # fmt: skip
    return _figure([pie], "Gender", showlegend=True)


def inquiry_types(summary: Summary) -> Figure:
    frame = summary.by_type[summary.by_type["inquiries"] > 0].iloc[::-1]
    bar = {"type": "bar", "orientation": "h", "x": _values(frame["inquiries"]),
           "y": _values(frame["label"]), "marker": {"color": ACCENT}}  # fmt: skip
    return _figure([bar], "What they ask about", margin={"l": 130, "r": 10, "t": 40, "b": 40})


def per_day(summary: Summary) -> Figure:
    frame = summary.per_day
    line = {
        "type": "scatter",
        "mode": "lines+markers",
        "x": _values(frame["day"]),
        "y": _values(frame["inquiries"]),
        "line": {"color": ACCENT},
        "name": "inquiries",
    }
    before = {"type": "scatter", "mode": "lines", "x": _values(frame["day"]),
              "y": _values(frame["previous"]), "name": "the same day a week before",
              "line": {"color": "#9aa7b4", "dash": "dot", "width": 1}}  # fmt: skip
    legend = {"orientation": "h", "x": 1, "xanchor": "right", "y": 1, "yanchor": "bottom",
              "font": {"size": 11}}  # fmt: skip
    return _figure([before, line], "Inquiries per day", showlegend=True, legend=legend,
                   margin={"l": 40, "r": 10, "t": 64, "b": 40})  # fmt: skip


def per_week(summary: Summary) -> Figure:
    """Weeks (Monday to Sunday, shop time) as bars, each labelled with its change on the week
    before; a partial first or last week is compared with the same days of the week before."""
    frame = summary.per_week
    labels = [
        f"{week:%d %b}" + ("" if days == 7 else f" ({days}d)")
        for week, days in zip(frame["week"], frame["days"], strict=True)
    ]
    changes = ["" if change != change else f"{change:+.0%}" for change in frame["change"]]
    bar = {"type": "bar", "x": labels, "y": _values(frame["inquiries"]), "text": changes,
           "textposition": "outside", "marker": {"color": ACCENT}, "name": "inquiries",
           "customdata": _values(frame["previous"]),
           "hovertemplate": "%{x}: %{y} inquiries (%{text} on the week before: "
                            "%{customdata})<extra></extra>"}  # fmt: skip
    return _figure([bar], "Inquiries per week, change on the week before")


def weekday_hour(summary: Summary) -> Figure:
    table = summary.weekday_hour
    heat = {
        "type": "heatmap",
        "z": table.to_numpy().tolist(),
        "x": [f"{h:02d}" for h in table.columns],
        "y": [str(day)[:3] for day in table.index],  # Mon ... Sun: the full names get cut off
        "colorscale": "Blues",
        "reversescale": True,  # plotly's Blues runs dark to light: none should be white
        "hovertemplate": "%{y} %{x}:00 — %{z} inquiries<extra></extra>",
    }
    return _figure([heat], "Busiest weekdays and hours (shop time)",
                   margin={"l": 48, "r": 10, "t": 40, "b": 40},
                   xaxis={"title": {"text": "hour"}, "dtick": 3},
                   yaxis={"autorange": "reversed"})  # fmt: skip


# what draws each chart of the page (`layout.CHARTS`, whose ids are chart-<name>)
DRAWN: dict[str, Callable[[Summary], Figure]] = {
    "per-day": per_day,
    "per-week": per_week,
    "types": inquiry_types,
    "ages": age_histogram,
    "bands": age_bands,
    "genders": genders,
    "heatmap": weekday_hour,
}
