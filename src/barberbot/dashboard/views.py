"""What a user may see for a view state: their shops only, aggregated by the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from barberbot.analytics import queries, rollups
from barberbot.analytics.answers import with_answer_ids
from barberbot.analytics.filters import Selection, period_for
from barberbot.analytics.summary import GENDER_LABELS, Summary, summarise
from barberbot.auth import service as auth
from barberbot.campaigns import results
from barberbot.campaigns.schemas import Results
from barberbot.dashboard.state import ALL_SHOPS, ViewState
from barberbot.forms import service as forms
from barberbot.forms.schemas import FormField
from barberbot.forms.store import AnswerStore
from barberbot.models import Campaign, Inquiry, Shop, User
from barberbot.shops import inquiry_types

CAMPAIGN_LIMIT = 20  # the newest; older ones are on each shop's campaigns page


@dataclass(frozen=True)
class View:
    shops: list[Shop]  # the user's shops in this view (none if the view names another's)
    selection: Selection
    zone: ZoneInfo
    type_labels: dict[str, str]
    # the shown shop's current single/multiple-choice questions (none for several shops)
    choices: tuple[FormField, ...] = ()


def user_shops(session: Session, user_id: int | None) -> list[Shop]:
    user = session.get(User, user_id) if user_id is not None else None
    return auth.shops_of(user) if user is not None else []


def shown_shops(session: Session, user_id: int | None, state: ViewState) -> list[Shop]:
    """The user's shops the view names: all of them, one, or none (not theirs)."""
    mine = user_shops(session, user_id)
    return mine if state.shop == ALL_SHOPS else [s for s in mine if s.slug == state.shop]


def resolve(
    session: Session,
    user_id: int | None,
    state: ViewState,
    now: datetime | None = None,
    *,
    answers: AnswerStore | None = None,
) -> View:
    """The selection a view state names, narrowed to the user's own shops; its choice
    filters only those the shown shop's current form asks, with options it offers. With
    answers kept outside SQL (MongoDB) the filters are resolved to inquiry ids by the store."""
    shops = shown_shops(session, user_id, state)
    zone = ZoneInfo(shops[0].timezone) if shops else ZoneInfo("UTC")
    period = period_for(
        state.period,
        zone=zone,
        now=now or datetime.now(UTC),
        start=state.start_date(),
        end=state.end_date(),
    )
    type_labels: dict[str, str] = {}
    for shop in shops:
        type_labels.update({k: v for k, v in shop.type_labels().items() if k not in type_labels})
    choices = choice_questions(session, shops)
    selection = Selection(
        shop_ids=tuple(s.id for s in shops) or (-1,),  # -1: no shop, so no rows
        period=period,
        genders=tuple(state.genders),
        age_bands=tuple(state.age_bands),
        inquiry_types=tuple(state.inquiry_types),
        locations=tuple(state.locations),
        answers=_answer_filters(state, choices),
    )
    if answers is not None:
        selection = with_answer_ids(session, selection, answers)
    return View(shops, selection, zone, type_labels, choices)


def choice_questions(session: Session, shops: list[Shop]) -> tuple[FormField, ...]:
    """The one shown shop's current choice questions, in the form's order."""
    if len(shops) != 1:
        return ()
    return tuple(f for f in forms.current(session, shops[0]).asked if f.type.has_options)


def _answer_filters(
    state: ViewState, choices: tuple[FormField, ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    chosen = []
    for question in choices:
        options = tuple(o for o in state.answers.get(question.key, ()) if o in question.options)
        if options:
            chosen.append((question.key, options))
    return tuple(chosen)


def filter_options(session: Session, view: View) -> tuple[list[dict[str, str]], list[str]]:
    """The inquiry types (every one: a retired one says so) and the locations of a view's
    shops, for the filters."""
    offered = {key for shop in view.shops for key in inquiry_types.offered(shop)}
    types = [
        {"label": label if key in offered else f"{label} (retired)", "value": key}
        for key, label in view.type_labels.items()
    ]
    return types, queries.locations(session, [shop.id for shop in view.shops])


def summary_of(
    session: Session,
    view: View,
    *,
    count_customers: bool = True,
) -> Summary:
    """The view's figures, whole days from the rollups where they hold them (read only)."""
    held = rollups.coverage(session, view.selection.shop_ids) if view.shops else None
    return summarise(
        session,
        view.selection,
        view.zone,
        view.type_labels,
        count_customers=count_customers,
        held=held,
    )


def latest_rows(session: Session, view: View, limit: int = 25) -> list[dict[str, object]]:
    names = {shop.id: shop.name for shop in view.shops}
    return [
        _row(inquiry, names, view) for inquiry in queries.latest(session, view.selection, limit)
    ]


def _row(inquiry: Inquiry, names: dict[int, str], view: View) -> dict[str, object]:
    return {
        "received": inquiry.received_at.astimezone(view.zone).strftime("%Y-%m-%d %H:%M"),
        "shop": names.get(inquiry.shop_id, ""),
        "name": inquiry.customer_name,
        "age": inquiry.age,
        "gender": GENDER_LABELS.get(inquiry.gender, inquiry.gender),
        "type": view.type_labels.get(inquiry.inquiry_type, inquiry.inquiry_type),
        "contact": inquiry.email or inquiry.phone or "",  # stored in E.164 (inquiries/contacts.py)
        "consent": "yes" if inquiry.marketing_consent else "no",
        "location": inquiry.location or "",
    }


@dataclass(frozen=True)
class CampaignRow:
    id: int
    shop: str
    name: str
    channel: str
    status: str
    results: Results
    url: str  # the campaign's page, with its full results


def recent_campaigns(session: Session, shops: list[Shop]) -> list[Campaign]:
    return list(results.recent(session, [shop.id for shop in shops], CAMPAIGN_LIMIT))


def campaign_rows(
    session: Session, shops: list[Shop], campaigns: list[Campaign]
) -> list[CampaignRow]:
    """The campaigns' results, counted for all of them at once (see `results.overview`)."""
    by_id = {shop.id: shop for shop in shops}
    counted = results.overview(session, campaigns)
    return [
        CampaignRow(
            c.id, by_id[c.shop_id].name, c.name, c.channel, c.status, counted[c.id],
            f"/shops/{by_id[c.shop_id].slug}/campaigns/{c.id}",
        )
        for c in campaigns
    ]  # fmt: skip
