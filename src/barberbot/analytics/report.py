"""`barberbot report`: the dashboard's figures and insights as a PDF (and PNG charts), drawn
with seaborn and matplotlib, for an owner who wants a printout or an e-mail attachment."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed: files only

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from barberbot.analytics.insights import place_name
from barberbot.analytics.responses import Responses, duration
from barberbot.analytics.summary import Summary

A4 = (8.27, 11.69)
Chart = Callable[[Summary, Axes], None]


def per_day(summary: Summary, ax: Axes) -> None:
    sns.lineplot(data=summary.per_day, x="day", y="inquiries", marker="o", ax=ax)
    ax.set(title="Inquiries per day", xlabel="", ylabel="inquiries")
    ax.tick_params(axis="x", labelrotation=30)


def per_week(summary: Summary, ax: Axes) -> None:
    frame = summary.per_week.assign(week=[f"{w:%d %b}" for w in summary.per_week["week"]])
    long = frame.melt(id_vars="week", value_vars=["previous", "inquiries"], var_name="when")
    long["when"] = long["when"].map({"inquiries": "this week", "previous": "the week before"})
    sns.barplot(data=long, x="week", y="value", hue="when", ax=ax,
                palette={"this week": "#1f5f8b", "the week before": "#b8c4cf"})  # fmt: skip
    ax.set(title="Inquiries per week (Monday to Sunday)", xlabel="week of", ylabel="inquiries")
    ax.legend(title="")
    ax.tick_params(axis="x", labelrotation=30)


def inquiry_types(summary: Summary, ax: Axes) -> None:
    sns.barplot(data=summary.by_type, x="inquiries", y="label", color="#1f5f8b", ax=ax)
    ax.set(title="What customers ask about", xlabel="inquiries", ylabel="")


def ages(summary: Summary, ax: Axes) -> None:
    # 5-year bins on multiples of 5, given as edges: `binwidth` fails when every age is one
    known = summary.by_age["age"]
    low, high = (int(known.min()) // 5 * 5, int(known.max())) if len(known) else (0, 100)
    edges = list(range(low, high + 6, 5))
    sns.histplot(data=summary.by_age, x="age", weights="inquiries", bins=edges, ax=ax)
    ax.set(title="Ages", xlabel="age", ylabel="inquiries")


def age_bands(summary: Summary, ax: Axes) -> None:
    sns.barplot(data=summary.by_band, x="age_band", y="inquiries", color="#1f5f8b", ax=ax)
    ax.set(title="Age bands", xlabel="", ylabel="inquiries")


def genders(summary: Summary, ax: Axes) -> None:
    sns.barplot(data=summary.by_gender, x="label", y="inquiries", hue="label", ax=ax)
    ax.set(title="Gender", xlabel="", ylabel="inquiries")


def weekday_hour(summary: Summary, ax: Axes) -> None:
    sns.heatmap(summary.weekday_hour, cmap="Blues", cbar=True, ax=ax)
    ax.set(title="Busiest weekdays and hours (shop time)", xlabel="hour", ylabel="")


def band_by_type(summary: Summary, ax: Axes) -> None:
    sns.heatmap(summary.band_by_type, annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax)
    ax.set(title="Age band x inquiry type", xlabel="", ylabel="")
    ax.tick_params(axis="x", labelrotation=40)


def locations(summary: Summary, ax: Axes) -> None:
    """How the shop's locations compare: this period beside the one before."""
    frame = summary.by_location.assign(
        place=[place_name(shop, location) for shop, location in
               zip(summary.by_location["shop"], summary.by_location["location"], strict=True)]
    )  # fmt: skip
    long = frame.melt(id_vars="place", value_vars=["inquiries", "previous"], var_name="when")
    long["when"] = long["when"].map({"inquiries": "this period", "previous": "previous period"})
    sns.barplot(data=long, x="value", y="place", hue="when", orient="h", ax=ax,
                palette={"this period": "#1f5f8b", "previous period": "#b8c4cf"})  # fmt: skip
    ax.set(title="By shop and location", xlabel="inquiries", ylabel="")
    ax.legend(title="")


CHARTS: dict[str, Chart] = {
    "per-day": per_day,
    "per-week": per_week,
    "inquiry-types": inquiry_types,
    "ages": ages,
    "age-bands": age_bands,
    "genders": genders,
    "weekday-hour": weekday_hour,
    "age-band-by-type": band_by_type,
    "locations": locations,
}
PAGES = (("per-day", "per-week", "inquiry-types"), ("ages", "age-bands", "genders"),
         ("weekday-hour", "age-band-by-type"))  # fmt: skip


def write_report(
    summary: Summary,
    title: str,
    pdf: Path,
    *,
    note: str = "",
    responses: Responses | None = None,
) -> list[Path]:
    """The PDF, and one PNG per chart beside it (report-ages.png ...); returns every file.

    `note`, under the dates on the cover, says which shops a report of several covers;
    `responses`, how fast the shops answered, makes a page of its own.
    """
    sns.set_theme(style="whitegrid")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with PdfPages(pdf) as document:
        document.savefig(_cover(summary, title, note))
        for charts in PAGES:
            figure, axes = plt.subplots(len(charts), 1, figsize=A4, layout="constrained")
            for name, ax in zip(charts, axes, strict=True):
                CHARTS[name](summary, ax)
            document.savefig(figure)
            plt.close(figure)
        figure = _locations_page(summary)
        document.savefig(figure)
        plt.close(figure)
        if responses is not None:
            figure = _replies_page(responses, summary.type_labels)
            document.savefig(figure)
            plt.close(figure)
    written = [pdf]
    for name, draw in CHARTS.items():
        figure, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        draw(summary, ax)
        path = pdf.with_name(f"{pdf.stem}-{name}.png")
        figure.savefig(path, dpi=120)
        plt.close(figure)
        written.append(path)
    return written


def _cover(summary: Summary, title: str, note: str) -> Figure:
    figure = plt.figure(figsize=A4)
    period = summary.selection.period
    start = period.start.astimezone(summary.zone)
    end = period.end.astimezone(summary.zone)
    lines = [
        *[(line, 22, "bold") for line in textwrap.wrap(title, 36)],  # a long one would be cut
        (f"{start:%d %b %Y} to {end:%d %b %Y}", 13, "normal"),
        *[(line, 11, "normal") for line in textwrap.wrap(note, 80)],
        ("", 10, "normal"),
        (f"Inquiries: {summary.totals['inquiries']:,}", 14, "normal"),
        (f"Unique customers: {summary.totals['customers']:,}", 14, "normal"),
        (
            f"New / returning: {summary.customers['new']} / {summary.customers['returning']}",
            14,
            "normal",
        ),
        (f"Consent rate: {_percent(summary.consent_rate)}", 14, "normal"),
        (f"Change on the previous period: {_percent(summary.change, signed=True)}", 14, "normal"),
        ("", 10, "normal"),
        ("Insights", 16, "bold"),
    ]
    for insight in summary.insights or []:
        for n, line in enumerate(textwrap.wrap(insight.text, 80)):
            lines.append((("• " if n == 0 else "  ") + line, 11, "normal"))
    if summary.empty:
        lines.append(("No inquiries in this period yet.", 11, "normal"))
    _write_lines(figure, lines, gap=0.012)
    figure.text(0.08, 0.03, f"Made by BarberBot on {datetime.now():%d %b %Y %H:%M}", fontsize=8)
    return figure


def _write_lines(figure: Figure, lines: list[tuple[str, int, str]], gap: float) -> None:
    """Lines of text (text, size, weight) down a page from its top."""
    y = 0.93
    for text, size, weight in lines:
        figure.text(0.08, y, text, fontsize=size, fontweight=weight, va="top")
        y -= size / 400 + gap


def _locations_page(summary: Summary) -> Figure:
    """The locations chart, and the numbers behind it in a table below."""
    figure = plt.figure(figsize=A4)
    locations(summary, figure.add_axes((0.3, 0.55, 0.62, 0.38)))
    rows = [
        [place_name(p["shop"], p["location"]), f"{p['inquiries']:,}", f"{p['share']:.0%}",
         f"{p['previous']:,}", _percent(None if pd.isna(p["change"]) else p["change"], True)]
        for p in summary.by_location.to_dict("records")
    ]  # fmt: skip
    table_ax = figure.add_axes((0.08, 0.05, 0.84, 0.42))
    table_ax.axis("off")
    if rows:
        header = ["Shop (location)", "Inquiries", "Share", "Previous period", "Change"]
        _table(table_ax, rows, header, row_height=1.6)
    return figure


def _replies_page(responses: Responses, type_labels: dict[str, str]) -> Figure:
    """How fast the shop answered, against the period before, by inquiry type and location."""
    figure = plt.figure(figsize=A4)
    now, before = responses.now, responses.before
    lines = [
        ("Replies", 18, "bold"),
        (f"Typical time to first reply: {duration(now.median_hours)} "
         f"(the period before: {duration(before.median_hours)})", 12, "normal"),
        (f"9 in 10 answered within: {duration(now.p90_hours)} "
         f"(the period before: {duration(before.p90_hours)})", 12, "normal"),
        (f"Answered: {now.answered:,}   Still waiting for a first reply: {responses.waiting:,}",
         12, "normal"),
    ]  # fmt: skip
    if responses.empty:
        lines.append(("No inquiry was answered or is waiting in this period.", 11, "normal"))
    _write_lines(figure, lines, gap=0.015)
    tables = (
        (responses.by_type, "inquiry_type", "Inquiry type", type_labels, 0.42),
        (responses.by_location, "location", "Location", {"": "No location"}, 0.05),
    )
    for rows, key, heading, labels, bottom in tables:
        cells = [
            [labels.get(row[key], row[key]), f"{row['answered']:,}",
             duration(None if pd.isna(row["median_hours"]) else row["median_hours"]),
             duration(None if pd.isna(row["p90_hours"]) else row["p90_hours"]),
             f"{row['waiting']:,}"]
            for row in rows.head(12).to_dict("records")
        ]  # fmt: skip
        if not cells:
            continue
        ax = figure.add_axes((0.08, bottom, 0.84, 0.33))
        ax.axis("off")
        header = [heading, "Answered", "Typical reply", "9 in 10 within", "Waiting"]
        _table(ax, cells, header, row_height=1.5)
    return figure


def _table(ax: Axes, rows: list[list[str]], header: list[str], row_height: float) -> None:
    """A table of figures in 9 pt at the top of `ax`."""
    table = ax.table(cellText=rows, colLabels=header, loc="upper center")
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    table.scale(1, row_height)


def _percent(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.0%}" if signed else f"{value:.0%}"
