"""Plotly figures for a summary; each one readable on a phone."""

from __future__ import annotations

import plotly.graph_objects as go

from barberbot.analytics.summary import Summary

ACCENT = "#1f5f8b"
PALETTE = ["#1f5f8b", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#2e4057"]


def _layout(figure: go.Figure, title: str) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "font": {"size": 16}},
        margin={"l": 40, "r": 10, "t": 40, "b": 40},
        height=300,
        template="plotly_white",
        showlegend=False,
    )
    return figure


def age_histogram(summary: Summary) -> go.Figure:
    frame = summary.by_age
    bar = go.Bar(x=frame["age"], y=frame["inquiries"], marker_color=ACCENT, name="inquiries")
    figure = _layout(go.Figure(bar), "Ages")
    figure.update_xaxes(title="age")
    return figure


def age_bands(summary: Summary) -> go.Figure:
    frame = summary.by_band
    bar = go.Bar(x=frame["age_band"], y=frame["inquiries"], marker_color=ACCENT)
    return _layout(go.Figure(bar), "Age bands")


def genders(summary: Summary) -> go.Figure:
    frame = summary.by_gender[summary.by_gender["inquiries"] > 0]
    pie = go.Pie(
        labels=frame["label"], values=frame["inquiries"], hole=0.5, marker={"colors": PALETTE}
    )
    figure = _layout(go.Figure(pie), "Gender")
    figure.update_layout(showlegend=True)
    return figure


def inquiry_types(summary: Summary) -> go.Figure:
    frame = summary.by_type[summary.by_type["inquiries"] > 0].iloc[::-1]
    bar = go.Bar(x=frame["inquiries"], y=frame["label"], orientation="h", marker_color=ACCENT)
    figure = _layout(go.Figure(bar), "What they ask about")
    figure.update_layout(margin={"l": 130})
    return figure


def per_day(summary: Summary) -> go.Figure:
    frame = summary.per_day
    line = go.Scatter(
        x=frame["day"], y=frame["inquiries"], mode="lines+markers", line={"color": ACCENT}
    )
    return _layout(go.Figure(line), "Inquiries per day")


def weekday_hour(summary: Summary) -> go.Figure:
    table = summary.weekday_hour
    heat = go.Heatmap(
        z=table.to_numpy(),
        x=[f"{h:02d}" for h in table.columns],
        y=list(table.index),
        colorscale="Blues",
        hovertemplate="%{y} %{x}:00 — %{z} inquiries<extra></extra>",
    )
    figure = _layout(go.Figure(heat), "Busiest weekdays and hours (shop time)")
    figure.update_yaxes(autorange="reversed")
    return figure
