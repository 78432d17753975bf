"""The inbox pages: a shop's inquiries to work through (`/shops/{shop}/inbox`), or all of an
owner's shops' at once (`/inbox`), filtered by GET parameters so a view can be bookmarked."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, status
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from barberbot.analytics.queries import locations as locations_of
from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.core.choices import InquiryStatus
from barberbot.core.deps import SessionDep
from barberbot.core.security_headers import NO_FRAMING
from barberbot.inbox import counts, labels, listing, overdue, people
from barberbot.inquiries.filters import (
    ASSIGNEE_ME,
    ASSIGNEE_NONE,
    SEARCH_MAX,
    YEAR_MAX,
    YEAR_MIN,
    InquiryFilters,
    within_years,
)
from barberbot.inquiries.schemas import InvalidCursor, decode_cursor, encode_cursor
from barberbot.models import Shop, User
from barberbot.models.base import utcnow
from barberbot.shops.deps import MemberShop
from barberbot.web.csrf import csrf_token
from barberbot.web.templating import templates

router = APIRouter(include_in_schema=False)
ALL = "all"
SNIPPET = 120
FILTER_NAMES = ("status", "assignee", "type", "location", "from", "to", "q", "order")


@dataclass
class Chosen:
    """The filters as the owner chose them (the form's values) and as the list reads them."""

    values: dict[str, str]
    statuses: list[str]  # as asked: none (the default), "all", or some statuses
    filters: InquiryFilters
    order: listing.Order
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def narrowed(self) -> bool:
        """Anything chosen beyond the default view."""
        return bool(self.statuses) or any(
            self.values.get(name) for name in FILTER_NAMES if name != "order"
        )

    @property
    def more_open(self) -> bool:
        """The less used filters show when one of them is set (or wrong)."""
        more = ("type", "location", "from", "to")
        return any(self.values.get(name) or name in self.errors for name in more)

    def link(self, path: str, **cursor: str) -> str:
        """This view's address (a page of it, with a cursor): every filter kept."""
        query = [("status", value) for value in self.statuses]
        query += [(name, value) for name, value in self.values.items() if value]
        query += list(cursor.items())
        return f"{path}?{urlencode(query)}" if query else path


def _read_filters(
    params: Mapping[str, str],
    statuses: Sequence[str],
    zone: ZoneInfo,
    members: Sequence[User],
    types: Mapping[str, str],
) -> Chosen:
    """The GET parameters, each checked; a wrong one is named beside its field and left out."""
    values = {name: (params.get(name) or "").strip() for name in FILTER_NAMES}
    errors: dict[str, str] = {}
    chosen: dict[str, object] = {}

    wanted = [s for s in statuses if s]
    if not wanted:
        chosen["status"] = list(listing.OPEN_STATUSES)
    elif wanted != [ALL]:
        unknown = [s for s in wanted if s not in labels.STATUS]
        if unknown:
            errors["status"] = "Choose a status from the list."
            chosen["status"] = list(listing.OPEN_STATUSES)
        else:
            chosen["status"] = wanted
    values.pop("status")

    assignee = values["assignee"]
    if assignee in (ASSIGNEE_ME, ASSIGNEE_NONE) or (
        assignee.isdigit() and int(assignee) in {m.id for m in members}
    ):
        chosen["assignee"] = assignee
    elif assignee:
        errors["assignee"] = "Choose someone from the list."

    if values["type"] in types:
        chosen["inquiry_type"] = values["type"]
    elif values["type"]:
        errors["type"] = "Choose a kind of inquiry from the list."
    if values["location"]:
        chosen["location"] = values["location"][:64]

    start, end = _day(values["from"], zone, errors, "from"), _day(values["to"], zone, errors, "to")
    if start and end and start >= end + timedelta(days=1):
        errors["to"] = "The last day comes before the first."
    elif start or end:
        chosen["received_from"] = start
        chosen["received_to"] = end + timedelta(days=1) if end else None

    if len(values["q"]) > SEARCH_MAX:
        errors["q"] = f"Search for at most {SEARCH_MAX} characters."
    elif values["q"]:
        chosen["q"] = values["q"]
    order = listing.Order.OLDEST if values["order"] == "oldest" else listing.Order.NEWEST
    try:
        filters = InquiryFilters.model_validate(chosen)
    except ValidationError:  # every value was checked above; never a 500 all the same
        filters = InquiryFilters(status=list(listing.OPEN_STATUSES))
        errors["filters"] = "These filters could not be read; here is everything waiting."
    return Chosen(values, wanted, filters, order, errors)


def _day(text: str, zone: ZoneInfo, errors: dict[str, str], name: str) -> datetime | None:
    """The start of a day (YYYY-MM-DD, the date picker's format) in the shop's zone."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[name] = "Give the date as YYYY-MM-DD, for example 2026-03-31."
        return None
    if not within_years(day):
        errors[name] = f"Give a date from the year {YEAR_MIN} to {YEAR_MAX}."
        return None
    return datetime.combine(day, time.min, zone)


def _cursor(text: str | None) -> tuple[datetime, uuid.UUID] | None:
    """A page's cursor; one that cannot be read starts from the first page."""
    if not text:
        return None
    try:
        return decode_cursor(text)
    except InvalidCursor:
        return None


def ago(at: datetime, now: datetime, zone: ZoneInfo) -> str:
    """'just now', '12 min ago', '3 h ago', 'yesterday', '4 days ago', or the date."""
    seconds = (now - at).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = (now.astimezone(zone).date() - at.astimezone(zone).date()).days
    if days <= 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    local = at.astimezone(zone)
    return f"{local:%-d %b}" if local.year == now.astimezone(zone).year else f"{local:%-d %b %Y}"


def exact(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%a %-d %b %Y, %H:%M")


def snippet(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SNIPPET else line[: SNIPPET - 1].rstrip() + "…"


def _previous(found: listing.Page, chosen: Chosen, path: str) -> str:
    if not found.has_previous:
        return ""
    if not found.rows:  # past the end (the list shrank): back to the start
        return chosen.link(path)
    return chosen.link(path, before=encode_cursor(found.rows[0]))


def _render(
    request: Request,
    session: Session,
    user: User,
    shops: list[Shop],
    shop: Shop | None,
    path: str,
) -> HTMLResponse:
    zone = ZoneInfo(shops[0].timezone if shops else "UTC")
    ids = [s.id for s in shops]
    members = people.members(session, ids)
    types: dict[str, str] = {}
    for each in shops:
        types = {**each.type_labels(), **types}
    params = request.query_params
    chosen = _read_filters(params, params.getlist("status"), zone, members, types)
    found = listing.page(
        session,
        ids,
        chosen.filters,
        order=chosen.order,
        after=_cursor(params.get("after")),
        before=_cursor(params.get("before")),
        me=user.id,
    )
    now = utcnow()
    by_id = {s.id: s for s in shops}
    names = people.names(session, (row.assignee_id for row in found.rows))
    newest = counts.newest(session, shops)  # the poll counts what arrives after it
    context = {
        "user": user,
        "my_shops": auth.shops_of(user),
        "csrf": csrf_token(request),
        "shop": shop,
        "shops": by_id,
        "many_shops": shop is None and len(shops) > 1,
        "on_inbox": True,
        "path": path,
        "chosen": chosen,
        "found": found,
        "members": members,
        "types": types,
        "locations": locations_of(session, ids),
        "status_choices": [(s.value, labels.STATUS[s]) for s in InquiryStatus],
        "names": names,
        "zone": zone,
        "status_label": labels.status,
        "ago": lambda at: ago(at, now, zone),
        "exact": lambda at, s: exact(at, ZoneInfo(s.timezone)),
        "overdue": lambda row: overdue.is_overdue(row, by_id[row.shop_id], now),
        "snippet": snippet,
        "since": str(newest.id) if newest else "",
        "previous": _previous(found, chosen, path),
        "next": chosen.link(path, after=encode_cursor(found.rows[-1])) if found.has_next else "",
        "refresh": chosen.link(path),
    }
    code = status.HTTP_422_UNPROCESSABLE_CONTENT if chosen.errors else status.HTTP_200_OK
    return templates.TemplateResponse(
        request, "inbox.html", context, status_code=code, headers=NO_FRAMING
    )


@router.get("/shops/{slug}/inbox", response_class=HTMLResponse, name="shop_inbox")
def shop_inbox(
    request: Request, shop: MemberShop, user: CurrentUser, session: SessionDep
) -> Response:
    return _render(request, session, user, [shop], shop, f"/shops/{shop.slug}/inbox")


@router.get("/inbox", response_class=HTMLResponse, name="inbox")
def inbox(request: Request, user: CurrentUser, session: SessionDep) -> Response:
    """Every shop of the user's together; a shop column says whose each inquiry is."""
    return _render(request, session, user, auth.shops_of(user), None, "/inbox")
