"""The dashboard page: filters, KPI cards, charts, tables; ids are what the callbacks use."""

from __future__ import annotations

from dash import dcc, html
from dash.development.base_component import Component

from barberbot.analytics.bands import BAND_LABELS
from barberbot.analytics.filters import PRESETS
from barberbot.analytics.insights import Insight
from barberbot.campaigns.segments import page_url
from barberbot.core.choices import Gender
from barberbot.dashboard.state import ALL_SHOPS, CUSTOM, DEFAULT_SORT, SORTS
from barberbot.models import Shop

LIVE_INTERVAL_MS = 5000
# key (ids kpi-<key> and kpi-<key>-value), label
KPIS = (("inquiries", "Inquiries"), ("unique", "Unique customers"), ("consent", "Consent rate"),
        ("vs", "vs previous period"), ("new", "New / returning"))  # fmt: skip
CHARTS = ("per-day", "per-week", "types", "ages", "bands", "genders", "heatmap")
PERIOD_LABELS = {"7d": "Last 7 days", "30d": "Last 30 days", "90d": "Last 90 days",
                 "365d": "Last 12 months", CUSTOM: "Custom dates"}  # fmt: skip
LATEST_COLUMNS = [
    ("received", "Received"), ("shop", "Shop"), ("name", "Name"), ("age", "Age"),
    ("gender", "Gender"), ("type", "Inquiry type"), ("contact", "Contact"),
    ("consent", "Consent"), ("location", "Location"),
]  # fmt: skip


def page(shops: list[Shop], types: list[dict[str, str]], locations: list[str]) -> html.Div:
    """The page for a user's shops; the filters start with every option of those shops, so
    values a bookmarked URL sets are valid before the options callback narrows them."""
    return html.Div(
        [
            dcc.Location(id="url", refresh=False),
            dcc.Interval(id="live", interval=LIVE_INTERVAL_MS),
            # the newest inquiry each live callback has counted, so a tick can skip the work
            dcc.Store(id="seen-figures"),
            dcc.Store(id="seen-customers"),
            dcc.Store(id="seen-campaigns"),
            dcc.Store(id="seen-replies"),
            html.Header(
                [
                    html.H1("BarberBot — customers"),
                    html.A("Shops", href="/"),
                    html.Span(id="updated", className="bb-updated"),
                ],
                className="bb-header",
            ),
            _filters(shops, types, locations),
            html.Div(id="empty", className="bb-empty", style={"display": "none"}),
            html.Div([_kpi(key, label) for key, label in KPIS], id="kpis", className="bb-kpis"),
            _answers_section(),
            html.Div(
                [_chart(name) for name in CHARTS]
                + [
                    _card("Age band x inquiry type", html.Div(id="band-by-type")),
                    _card("Insights", html.Ul(id="insights", className="bb-insights")),
                    _card("By shop and location", html.Div(id="by-location")),
                ],
                className="bb-grid",
            ),
            html.Div(
                _card("Replies", html.Div(id="replies", className="bb-replies")),
                style={"padding": "0 16px 16px"},
            ),
            html.Div(
                _card("Campaigns", html.Div(id="campaigns", className="bb-campaigns")),
                style={"padding": "0 16px 16px"},
            ),
            dcc.Store(id="latest-rows"),
            html.Div(
                _card(
                    "Latest inquiries",
                    html.Div(
                        [
                            _field(
                                "Sort by",
                                dcc.Dropdown(
                                    id="latest-sort",
                                    options=[{"label": t, "value": k} for k, t in SORTS.items()],
                                    value=DEFAULT_SORT,
                                    clearable=False,
                                ),
                            ),
                            html.Div(id="latest"),
                        ]
                    ),
                ),
                style={"padding": "0 16px 16px"},
            ),
        ]
    )


def _filters(shops: list[Shop], types: list[dict[str, str]], locations: list[str]) -> html.Div:
    shop_options = [{"label": "All my shops", "value": ALL_SHOPS}] + [
        {"label": shop.name, "value": shop.slug} for shop in shops
    ]
    return html.Div(
        [
            _field(
                "Shop",
                dcc.Dropdown(id="shop", options=shop_options, value=ALL_SHOPS, clearable=False),
            ),
            _field(
                "Location",
                dcc.Dropdown(id="location", options=locations, multi=True, placeholder="All"),
            ),
            _field(
                "Period",
                dcc.Dropdown(
                    id="period",
                    options=[
                        {"label": label, "value": key} for key, label in PERIOD_LABELS.items()
                    ],
                    value="30d",
                    clearable=False,
                ),
            ),
            _field(
                "Dates",
                dcc.DatePickerRange(
                    id="dates",
                    display_format="YYYY-MM-DD",
                    start_date_id="dates-start",
                    end_date_id="dates-end",
                    start_date_placeholder_text="From",
                    end_date_placeholder_text="To",
                ),
            ),
            _field(
                "Gender",
                dcc.Dropdown(
                    id="gender",
                    options=[{"label": g.label, "value": g.value} for g in Gender],
                    multi=True,
                    placeholder="Everyone",
                ),
            ),
            _field(
                "Age band",
                dcc.Dropdown(
                    id="age-band", options=list(BAND_LABELS), multi=True, placeholder="All ages"
                ),
            ),
            _field(
                "Inquiry type",
                dcc.Dropdown(id="inquiry-type", options=types, multi=True, placeholder="All"),
            ),
            html.Div(
                [
                    # links to streamed downloads; their address follows the filters
                    html.A("Download CSV", id="download-csv", className="bb-button"),
                    html.A("Download Excel", id="download-xlsx", className="bb-button"),
                ],
                className="bb-actions",
            ),
        ],
        className="bb-filters",
    )


def _answers_section() -> html.Div:
    """The shown shop's custom choice questions: a filter and a table of counts per option
    and age band each. Hidden when the form asks none (or several shops are shown)."""
    return html.Div(
        [
            html.H2("Custom questions"),
            html.P(id="answers-note", className="bb-note"),
            html.Div(id="answer-filters", className="bb-filters"),
            html.Div(id="answer-charts", className="bb-grid"),
        ],
        id="answers-section",
        style={"display": "none"},
    )


def answer_filter(key: str, label: str, options: tuple[str, ...], value: list[str]) -> html.Div:
    return _field(
        label,
        dcc.Dropdown(
            id={"type": "answer-filter", "key": key},
            options=list(options),
            value=value,
            multi=True,
            placeholder="Any answer",
        ),
    )


# key (cells campaign-<id>-<key>), heading; the numbers come from campaigns.results
CAMPAIGN_COLUMNS = [
    ("recipients", "Recipients"), ("sent", "Sent"), ("delivered", "Delivered"),
    ("failed", "Failed"), ("bounced", "Bounced"), ("unsubscribed", "Unsubscribed"),
    ("attributed_by_link", "Inquiries by link"),
    ("attributed_by_promo_code", "Inquiries by code"),
]  # fmt: skip


def _field(label: str, control: Component) -> html.Div:
    return html.Div([html.Label(label), control])


def _chart(name: str) -> html.Div:
    return html.Div(
        dcc.Graph(id=f"chart-{name}", config={"displayModeBar": False, "responsive": True}),
        className="bb-card",
    )


def _kpi(key: str, label: str) -> html.Div:
    return html.Div(
        [
            html.Div(label, className="bb-kpi-label"),
            html.Div("…", id=f"kpi-{key}-value", className="bb-kpi-value"),
        ],
        className="bb-kpi",
        id=f"kpi-{key}",
    )


def _card(title: str, body: Component) -> html.Div:
    return html.Div([html.H2(title), body], className="bb-card")


assert set(PERIOD_LABELS) == {*PRESETS, CUSTOM}


def insight_item(insight: Insight, shop_slug: str | None) -> html.Li:
    """An insight; with one shop shown and a segment it names, a link to create that segment."""
    rule = insight.rule
    if shop_slug is None or rule is None:
        return html.Li(insight.text)
    link = html.A(
        "Create a segment",
        href=page_url(shop_slug, rule, insight.text[:120]),
        className="bb-insight-segment",
    )
    return html.Li([insight.text, " ", link])
