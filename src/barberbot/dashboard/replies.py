"""The dashboard's "Replies" card: how fast the shop answers, and what still waits."""

from __future__ import annotations

from typing import Any

import pandas as pd
from dash import html
from dash.exceptions import PreventUpdate
from sqlalchemy import func, select

from barberbot.analytics import queries
from barberbot.analytics.responses import Responses, Times, duration, response_times
from barberbot.core.db import Database
from barberbot.dashboard.state import ViewState
from barberbot.dashboard.views import View, resolve
from barberbot.forms.store import AnswerStore
from barberbot.models import InquiryEvent


def replies_card(
    db: Database,
    user_id: int | None,
    state: ViewState,
    answers: AnswerStore,
    unchanged: str | None = None,
) -> list[Any]:
    """The card's content and its mark (the newest inquiry and event): a live tick that
    finds the mark unchanged leaves the card as it is."""
    with db.sessions() as session:
        view = resolve(session, user_id, state, answers=answers)
        shop_ids = view.selection.shop_ids
        newest = queries.newest(session, shop_ids)
        last_event = session.scalar(
            select(func.max(InquiryEvent.id)).where(InquiryEvent.shop_id.in_(shop_ids))
        )
        mark = f"{state!r} {newest.isoformat() if newest else ''} {last_event or 0}"
        if unchanged is not None and mark == unchanged:
            raise PreventUpdate
        found = response_times(session, view.selection)
    return [_content(found, view), mark]


def _content(found: Responses, view: View) -> Any:
    if found.empty:
        return html.P(
            "No inquiries answered or waiting in this period. Reply from your inbox and how "
            "fast you answer shows here.",
            className="bb-note",
            id="replies-empty",
        )
    return html.Div(
        [
            html.Ul(
                [
                    _line("Typical time to first reply", _median(found.now), found.before),
                    _line("9 in 10 answered within", _p90(found.now), None),
                    html.Li(
                        [
                            html.Strong(f"{found.now.answered:,}", id="replies-answered"),
                            " answered, ",
                            html.Strong(f"{found.waiting:,}", id="replies-waiting"),
                            " still waiting for a first reply",
                        ]
                    ),
                ],
                className="bb-replies-figures",
            ),
            _table(found.by_type, "inquiry_type", "Inquiry type", view.type_labels),
            _table(found.by_location, "location", "Location", {"": "No location"}),
        ]
    )


def _line(label: str, value: str, before: Times | None) -> html.Li:
    parts: list[Any] = [f"{label}: ", html.Strong(value)]
    if before is not None:
        earlier = _median(before)
        parts.append(f" (the period before: {earlier})")
    return html.Li(parts)


def _median(times: Times) -> str:
    return duration(times.median_hours)


def _p90(times: Times) -> str:
    return duration(times.p90_hours)


def _table(rows: pd.DataFrame, key: str, heading: str, labels: dict[str, str]) -> html.Table:
    header = html.Tr(
        [html.Th(h) for h in (heading, "Answered", "Typical reply", "9 in 10 within", "Waiting")]
    )
    body = [
        html.Tr(
            [
                html.Td(labels.get(row[key], row[key])),
                html.Td(f"{row['answered']:,}"),
                html.Td(duration(_hours(row["median_hours"]))),
                html.Td(duration(_hours(row["p90_hours"]))),
                html.Td(f"{row['waiting']:,}"),
            ]
        )
        for row in rows.to_dict("records")
    ]
    return html.Table(
        [html.Thead(header), html.Tbody(body)], className="bb-table", id=f"replies-by-{key}"
    )


def _hours(value: Any) -> float | None:
    return None if pd.isna(value) else float(value)
