"""The dashboard's callbacks: the URL holds the filters; everything is drawn from it.

Filters -> URL (bookmarkable) -> figures. Database work runs on a worker thread, so the event
loop keeps serving the form and the API while a dashboard refreshes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import pandas as pd
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from dash.backends._fastapi import get_current_request  # the backend's own request accessor
from dash.exceptions import PreventUpdate
from sqlalchemy.orm import Session

from barberbot.analytics import queries
from barberbot.analytics.answers import choice_counts
from barberbot.analytics.bands import BAND_LABELS
from barberbot.analytics.customer_counts import count as count_customers
from barberbot.analytics.insights import place_name
from barberbot.analytics.summary import Summary
from barberbot.core.db import Database
from barberbot.dashboard import figures
from barberbot.dashboard.downloads import EXPORT_PATH
from barberbot.dashboard.layout import (
    CAMPAIGN_COLUMNS,
    CHARTS,
    LATEST_COLUMNS,
    LIVE_INTERVAL_MS,
    answer_filter,
    insight_item,
)
from barberbot.dashboard.replies import replies_card
from barberbot.dashboard.state import (
    ALL_SHOPS,
    CUSTOM,
    ViewState,
    from_query,
    hash_for_sort,
    sort_from_hash,
    to_query,
)
from barberbot.dashboard.views import (
    CampaignRow,
    View,
    campaign_rows,
    filter_options,
    latest_rows,
    recent_campaigns,
    resolve,
    shown_shops,
    summary_of,
    user_shops,
)
from barberbot.forms.store import AnswerStore, SqlAnswerStore
from barberbot.models import Campaign, CampaignStatus, Shop
from barberbot.models.base import utcnow

FULL_EVERY_TICKS = 60_000 // LIVE_INTERVAL_MS
FILTERS = ("shop", "period", "gender", "age-band", "inquiry-type", "location")
ANSWER_FILTER = {"type": "answer-filter", "key": ALL}
# What the refresh callback draws, by name: `_refresh` answers a dict of the same keys (Dash
# refuses an answer whose keys differ). The other KPIs are the customers callback's.
REFRESHED = {
    "inquiries": Output("kpi-inquiries-value", "children"),
    "consent": Output("kpi-consent-value", "children"),
    "vs": Output("kpi-vs-value", "children"),
    **{name: Output(f"chart-{name}", "figure") for name in CHARTS},
    "band_by_type": Output("band-by-type", "children"),
    "insights": Output("insights", "children"),
    "by_location": Output("by-location", "children"),
    "latest": Output("latest-rows", "data"),
    "empty": Output("empty", "children"),
    "empty_style": Output("empty", "style"),
    "updated": Output("updated", "children"),
    "mark": Output("seen-figures", "data"),
    "answer_charts": Output("answer-charts", "children"),
    "answers_note": Output("answers-note", "children"),
    "answers_section": Output("answers-section", "style"),
}


USER_KEY = "barberbot.user_id"  # where the login guard (app.py) leaves the signed-in user


def current_user_id() -> int | None:
    """The signed-in user of the request being answered (None outside a request)."""
    try:
        request = get_current_request()
    except RuntimeError:  # Dash checks the layout once at start-up, outside any request
        return None
    # the login guard's finding (the server-side session), in the scope
    user_id = request.scope.get(USER_KEY)
    return user_id if isinstance(user_id, int) else None


def answer_store() -> AnswerStore:
    """Where the app keeps custom answers: the SQL answers table, or MongoDB."""
    try:
        request = get_current_request()
    except RuntimeError:
        return SqlAnswerStore()
    store = getattr(request.app.state, "answer_store", None)
    return store if store is not None else SqlAnswerStore()


def register(dash_app: Dash, db: Database) -> None:
    @dash_app.callback(
        [Output(name, "value") for name in FILTERS]
        + [Output("dates", "start_date"), Output("dates", "end_date"), Output("url", "search")],
        Input("url", "search"),
        [Input(name, "value") for name in FILTERS]
        + [Input("dates", "start_date"), Input("dates", "end_date"), Input(ANSWER_FILTER, "value")],
        State("shop", "options"),
        State(ANSWER_FILTER, "id"),
    )
    def url_and_filters(search: str | None, *inputs: Any) -> list[Any]:
        """On load the URL sets the filters; after that, the filters set the URL. The custom
        questions' filters are drawn with the URL's values (see `answer_filters`)."""
        *values, answer_values, shop_options, answer_ids = inputs
        if ctx.triggered_id in (None, "url"):
            state = from_query(search)
            if state.shop not in {option["value"] for option in shop_options or []}:
                # not a shop of this user's: show their own shops, and say so in the URL
                state = replace(state, shop=ALL_SHOPS)
                fixed: Any = to_query(state) or ""
            else:
                fixed = no_update
            filters: list[Any] = [state.shop, state.period, state.genders, state.age_bands]
            filters += [state.inquiry_types, state.locations, state.start, state.end]
            return [*filters, fixed]
        shop, period, genders, bands, types, locations, start, end = values
        if ctx.triggered_id == "dates" and start and end:
            period = CUSTOM
        state = ViewState(
            shop=shop or "all",
            period=period or "30d",
            start=start if period == CUSTOM else None,
            end=end if period == CUSTOM else None,
            genders=list(genders or []),
            age_bands=list(bands or []),
            inquiry_types=list(types or []),
            locations=list(locations or []),
            answers={
                name["key"]: list(chosen)
                for name, chosen in zip(answer_ids or [], answer_values or [], strict=False)
                if chosen
            },
        )
        new_search = to_query(state)
        period_value = period if period != values[1] else no_update
        return [no_update, period_value, *[no_update] * 6, new_search or ""]

    @dash_app.callback(
        Output("inquiry-type", "options"),
        Output("location", "options"),
        Input("shop", "value"),
    )
    async def options(shop: str | None) -> tuple[list[dict[str, str]], list[str]]:
        """The shown shops' inquiry types and locations: they change with the shop only."""
        user_id = current_user_id()
        state = ViewState(shop=shop or ALL_SHOPS)
        return await asyncio.to_thread(_options, db, user_id, state)

    @dash_app.callback(
        Output("answer-filters", "children"),
        Input("shop", "value"),
        State("url", "search"),
    )
    async def answer_filters(shop: str | None, search: str | None) -> list[html.Div]:
        """A dropdown per choice question of the shown shop's form, set as the URL says."""
        user_id = current_user_id()
        state = replace(from_query(search), shop=shop or ALL_SHOPS)
        return await asyncio.to_thread(_answer_filters, db, user_id, state)

    @dash_app.callback(
        output=REFRESHED,
        inputs=[Input("url", "search"), Input("live", "n_intervals")],
        state=[State("seen-figures", "data")],
    )
    async def refresh(search: str | None, ticks: int | None, seen: str | None) -> dict[str, Any]:
        user_id = current_user_id()
        unchanged = seen if _may_skip(ticks) else None
        state, store = from_query(search), answer_store()
        return await asyncio.to_thread(_refresh, db, user_id, state, unchanged, store)

    @dash_app.callback(
        Output("kpi-unique-value", "children"),
        Output("kpi-new-value", "children"),
        Output("seen-customers", "data"),
        Input("url", "search"),
        Input("live", "n_intervals"),
        State("seen-customers", "data"),
    )
    async def customers(
        search: str | None, ticks: int | None, seen: str | None
    ) -> tuple[str, str, str]:
        """The customer counts, the costliest query, beside the other figures: both answer
        sooner, and the page shows the figures while the customers are being counted."""
        user_id = current_user_id()
        unchanged = seen if _may_skip(ticks) else None
        return await asyncio.to_thread(_customers, db, user_id, from_query(search), unchanged)

    @dash_app.callback(
        Output("campaigns", "children"),
        Output("seen-campaigns", "data"),
        Input("url", "search"),
        Input("live", "n_intervals"),
        State("seen-campaigns", "data"),
    )
    async def campaigns(search: str | None, ticks: int | None, seen: str | None) -> list[Any]:
        """The shown shops' newest campaigns and their results."""
        user_id = current_user_id()
        unchanged = seen if _may_skip(ticks) else None
        return await asyncio.to_thread(_campaigns, db, user_id, from_query(search), unchanged)

    @dash_app.callback(
        Output("replies", "children"),
        Output("seen-replies", "data"),
        Input("url", "search"),
        Input("live", "n_intervals"),
        State("seen-replies", "data"),
    )
    async def replies(search: str | None, ticks: int | None, seen: str | None) -> list[Any]:
        """How fast the shown shops answer their inquiries."""
        user_id = current_user_id()
        unchanged = seen if _may_skip(ticks) else None
        state, store = from_query(search), answer_store()
        return await asyncio.to_thread(replies_card, db, user_id, state, store, unchanged)

    @dash_app.callback(
        Output("latest-sort", "value"),
        Output("url", "hash"),
        Input("url", "hash"),
        Input("latest-sort", "value"),
    )
    def sort_and_url(fragment: str | None, order: str | None) -> tuple[Any, Any]:
        """The table's order lives in the URL's #fragment, so it needs no new figures."""
        if ctx.triggered_id in (None, "url"):
            return sort_from_hash(fragment), no_update
        return no_update, hash_for_sort(order)

    @dash_app.callback(
        Output("latest", "children"),
        Input("latest-rows", "data"),
        Input("latest-sort", "value"),
    )
    def latest_table(rows: list[dict[str, Any]] | None, order: str | None) -> html.Table:
        return _latest_table(sort_rows(rows or [], order or "received:desc"))

    # The download links follow the filters in the browser: the files are streamed by the
    # export route (see downloads.py), not carried through a callback's JSON answer.
    dash_app.clientside_callback(
        f"""function (search) {{
            search = search || "";
            return ["{EXPORT_PATH}.csv" + search, "{EXPORT_PATH}.xlsx" + search];
        }}""",
        Output("download-csv", "href"),
        Output("download-xlsx", "href"),
        Input("url", "search"),
    )


def _options(
    db: Database, user_id: int | None, state: ViewState
) -> tuple[list[dict[str, str]], list[str]]:
    with db.sessions() as session:
        return filter_options(session, resolve(session, user_id, state))


def _answer_filters(db: Database, user_id: int | None, state: ViewState) -> list[html.Div]:
    with db.sessions() as session:
        view = resolve(session, user_id, state)  # the filters as asked: no ids needed
        chosen = dict(view.selection.answers)
        return [
            answer_filter(q.key, q.label, q.options, list(chosen.get(q.key, ())))
            for q in view.choices
        ]


def _may_skip(ticks: int | None) -> bool:
    """A live tick may leave the figures as they are if nothing new arrived; every minute they
    are recounted anyway (imports can add inquiries older than the newest)."""
    return ctx.triggered_id == "live" and (ticks or 0) % FULL_EVERY_TICKS != 0


def _mark(session: Session, view: View, state: ViewState, unchanged: str | None) -> str:
    """The view's filters and the newest inquiry's time in its shops (one index look-up per
    shop); stops the callback, leaving the page as it is, when it is still `unchanged`. (The
    filters: a tick's request sent after a change of filters replaces that change's own.)"""
    newest = queries.newest(session, view.selection.shop_ids)
    mark = f"{state!r} {newest.isoformat() if newest else ''}"
    if unchanged is not None and mark == unchanged:
        raise PreventUpdate
    return mark


def _refresh(
    db: Database,
    user_id: int | None,
    state: ViewState,
    unchanged: str | None = None,
    store: AnswerStore | None = None,
) -> dict[str, Any]:
    """Everything but the customers, by the names of REFRESHED. Reads only: the rollups are
    settled by the writers' side (`analytics/settling.py`)."""
    store = store if store is not None else SqlAnswerStore()
    with db.sessions() as session:
        view = resolve(session, user_id, state, answers=store)
        mark = _mark(session, view, state, unchanged)
        choice_tables = [
            _choice_table(
                q.key, q.label, choice_counts(session, view.selection, q.key, q.options, store)
            )
            for q in view.choices
        ]
        summary = summary_of(session, view, count_customers=False)
        latest = latest_rows(session, view)
        has_shops = bool(user_shops(session, user_id))
    empty_text, empty_style = _empty_state(summary.empty, bool(view.shops), has_shops)
    one_shop = view.shops[0].slug if len(view.shops) == 1 else None  # segments are per shop
    return {
        **_kpis(summary),
        **{name: figures.DRAWN[name](summary) for name in CHARTS},
        "band_by_type": _table(summary.band_by_type),
        "insights": [insight_item(insight, one_shop) for insight in summary.insights],
        "by_location": _locations(summary),
        "latest": latest,
        "empty": empty_text,
        "empty_style": empty_style,
        "updated": f"Updated {datetime.now(view.zone):%H:%M:%S}",
        "mark": mark,
        "answer_charts": choice_tables,
        "answers_note": "",
        "answers_section": {"display": "block" if view.choices else "none"},
    }


def _choice_table(key: str, label: str, counts: dict[str, dict[str, int]]) -> html.Div:
    """Inquiries per option (rows) and age band (columns), shaded by count: a heat-map table.
    A multiple-choice answer counts once for each option it includes."""
    top = max((n for bands in counts.values() for n in bands.values()), default=0)

    def cell(n: int) -> html.Td:
        shade = 0.08 + 0.6 * n / top if top and n else 0.0
        return html.Td(n, style={"background": f"rgba(31, 95, 139, {shade:.2f})"})

    header = html.Tr([html.Th("")] + [html.Th(band) for band in BAND_LABELS] + [html.Th("All")])
    rows = [
        html.Tr(
            [html.Th(option)]
            + [cell(bands[band]) for band in BAND_LABELS]
            + [html.Td(sum(bands.values()), className="bb-total")],
        )
        for option, bands in counts.items()
    ]
    return html.Div(
        [
            html.H2(label),
            html.Table([html.Thead(header), html.Tbody(rows)], className="bb-table"),
        ],
        className="bb-card",
        id=f"answer-chart-{key}",
    )


def _empty_state(empty: bool, in_view: bool, has_shops: bool) -> tuple[Any, dict[str, str]]:
    text: Any
    if not has_shops:
        text = "You are not a member of any shop yet. Ask the shop's owner to add you."
    elif not in_view:
        text = "That shop is not one of yours. Choose one of your shops above."
    elif empty:
        text = [
            "No inquiries match this view yet. Widen the dates or clear a filter — or put the "
            "inquiry form on your website (see ",
            html.A("your shop page", href="/"),
            ") so customers can reach you.",
        ]
    else:
        return "", {"display": "none"}
    return text, {"display": "block"}


def _kpis(summary: Summary) -> dict[str, str]:
    """Inquiries, consent rate, change on the previous period."""
    change = summary.change
    rate = summary.consent_rate
    return {
        "inquiries": f"{summary.totals['inquiries']:,}",
        "consent": "—" if rate is None else f"{rate:.0%}",
        "vs": "—" if change is None else f"{change:+.0%}",
    }


def _customers(
    db: Database, user_id: int | None, state: ViewState, unchanged: str | None = None
) -> tuple[str, str, str]:
    """Unique customers; new / returning. Reads only: the customers table is kept by the
    writers' side, and counted around while it is behind (`customer_counts`)."""
    with db.sessions() as session:
        view = resolve(session, user_id, state)
        mark = _mark(session, view, state, unchanged)
        found = count_customers(session, view.selection, view.shops)
    return f"{found['customers']:,}", f"{found['new']:,} / {found['returning']:,}", mark


def _campaigns(
    db: Database, user_id: int | None, state: ViewState, unchanged: str | None = None
) -> list[Any]:
    """The campaigns table. A live tick skips it while no campaign is being sent, none was
    added or changed state, and no inquiry arrived (unsubscribes and bounces show within a
    minute, when everything is recounted)."""
    with db.sessions() as session:
        shops = shown_shops(session, user_id, state)
        listed = recent_campaigns(session, shops)
        newest = queries.newest(session, [shop.id for shop in shops] or [-1])
        mark = " ".join([repr(state), newest.isoformat() if newest else ""]
                        + [f"{c.id}:{c.status}" for c in listed])  # fmt: skip
        if unchanged is not None and not _going_out(listed) and mark == unchanged:
            raise PreventUpdate
        rows = campaign_rows(session, shops, listed)
    return [_campaign_table(rows, shops), mark]


def _going_out(campaigns: Sequence[Campaign]) -> bool:
    """A campaign is being sent, or is due (one scheduled for next week changes nothing yet)."""
    now = utcnow()
    return any(
        c.status == CampaignStatus.SENDING
        or (c.status == CampaignStatus.SCHEDULED and (c.send_at is None or c.send_at <= now))
        for c in campaigns
    )


def _campaign_table(rows: list[CampaignRow], shops: list[Shop]) -> Any:
    if not rows:
        where = [html.A(f"{shop.name}: Campaigns", href=f"/shops/{shop.slug}/campaigns")
                 for shop in shops]  # fmt: skip
        return html.P(
            ["No campaigns yet. Create one on your shop's campaigns page — save a segment of "
             "customers, write the message, preview it, then send: ", *_joined(where)],
            className="bb-note", id="campaigns-empty",
        )  # fmt: skip
    several = len(shops) > 1
    names = ["Campaign", *(["Shop"] if several else []), "Channel", "Status"]
    header = html.Tr([html.Th(n) for n in names + [t for _, t in CAMPAIGN_COLUMNS]])
    body = [
        html.Tr(
            [html.Td(html.A(row.name, href=row.url))]
            + ([html.Td(row.shop)] if several else [])
            + [html.Td(row.channel), html.Td(row.status)]
            + [
                html.Td(f"{getattr(row.results, key):,}", id=f"campaign-{row.id}-{key}")
                for key, _ in CAMPAIGN_COLUMNS
            ],
            id=f"campaign-{row.id}",
        )
        for row in rows
    ]
    return html.Table([html.Thead(header), html.Tbody(body)], className="bb-table")


def _joined(links: list[html.A]) -> list[Any]:
    """Links separated by commas."""
    return [part for n, link in enumerate(links) for part in ([", "] if n else []) + [link]]


def _table(table: pd.DataFrame) -> html.Table:
    header = html.Tr([html.Th("")] + [html.Th(str(c)) for c in table.columns])
    rows = [
        html.Tr([html.Td(str(index))] + [html.Td(int(v)) for v in row])
        for index, row in zip(table.index, table.to_numpy(), strict=True)
    ]
    return html.Table([html.Thead(header), html.Tbody(rows)], className="bb-table")


def sort_rows(rows: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    """'age:desc' sorts by age, oldest first; ties keep the newest-first order."""
    key, _, direction = order.partition(":")
    if key not in {k for k, _ in LATEST_COLUMNS}:
        return rows
    return sorted(rows, key=lambda row: row[key], reverse=direction == "desc")


def _latest_table(rows: list[dict[str, Any]]) -> html.Table:
    header = html.Tr([html.Th(name) for _, name in LATEST_COLUMNS])
    body = [html.Tr([html.Td(row[key]) for key, _ in LATEST_COLUMNS]) for row in rows]
    return html.Table([html.Thead(header), html.Tbody(body)], className="bb-table bb-latest")


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


def _locations(summary: Summary) -> html.Table:
    """Each shop and location beside its previous period, busiest first: how they compare."""
    names = ("Shop", "Inquiries", "Share", "Previous period", "Change", "Consent")
    header = html.Tr([html.Th(name) for name in names])
    rows = [
        html.Tr(
            [
                html.Td(place_name(place["shop"], place["location"])),
                html.Td(f"{place['inquiries']:,}"),
                html.Td(f"{place['share']:.0%}"),
                html.Td(f"{place['previous']:,}"),
                html.Td("—" if pd.isna(place["change"]) else f"{place['change']:+.0%}"),
                html.Td(_rate(place["consenting"], place["inquiries"])),
            ]
        )
        for place in summary.by_location.to_dict("records")
    ]
    return html.Table([html.Thead(header), html.Tbody(rows)], className="bb-table")
