"""The inbox's settings page (`/shops/{shop}/inbox/settings`): how the signed-in member hears of
new inquiries (their own choice) and, for the shop's owners, the customer's acknowledgement.
Each form posts, then redirects back (or shows its error beside the field, with what was
chosen, 422)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.core.deps import SessionDep
from barberbot.inbox import preferences
from barberbot.models import Notify, Role, Shop, User
from barberbot.shops.deps import MemberShop
from barberbot.web.csrf import check_csrf
from barberbot.web.templating import shop_page

router = APIRouter(include_in_schema=False)
PAGE = "/shops/{slug}/inbox/settings"
CHOICES = {
    Notify.EACH.value: "An e-mail for each new inquiry",
    Notify.DIGEST.value: "One e-mail an hour listing the new ones",
    Notify.NONE.value: "No e-mails: I look in the inbox",
}
HOURS = range(1, 73)
DONE = {"notify": "Saved: this is how you hear of new inquiries.", "ack": "Acknowledgement saved."}


def _render(
    request: Request,
    session: Session,
    user: User,
    shop: Shop,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    marks = preferences.current(session, shop)
    values = {
        "notify": preferences.choice_of(preferences.membership_of(session, shop, user)).value,
        "acknowledge": "on" if marks.acknowledge else "",
        "answer_within_hours": str(marks.answer_within_hours),
    }
    return shop_page(
        request,
        "inbox_settings.html",
        user,
        shop,
        errors,
        owner=auth.role_in(user, shop) == Role.OWNER,
        choices=CHOICES,
        values=values | (form or {}),
        done=DONE.get(request.query_params.get("done", ""), ""),
    )


def _back(shop: Shop, done: str) -> RedirectResponse:
    return RedirectResponse(f"/shops/{shop.slug}/inbox/settings?done={done}", 303)


@router.get(PAGE, response_class=HTMLResponse, name="inbox_settings_page")
def inbox_settings_page(
    request: Request, shop: MemberShop, user: CurrentUser, session: SessionDep
) -> Response:
    return _render(request, session, user, shop)


@router.post(PAGE + "/notifications", name="inbox_settings_notify")
def choose_notifications(
    request: Request,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    notify: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    if notify not in CHOICES:
        errors = {"notify": "Choose one of the three ways to hear of new inquiries."}
        return _render(request, session, user, shop, errors=errors)
    preferences.membership_of(session, shop, user).notify = notify
    session.flush()
    return _back(shop, "notify")


@router.post(PAGE + "/acknowledgement", name="inbox_settings_acknowledgement")
def change_acknowledgement(
    request: Request,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    acknowledge: Annotated[str, Form()] = "",
    answer_within_hours: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    if auth.role_in(user, shop) != Role.OWNER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only the shop's owners can change this.")
    hours = answer_within_hours.strip()
    if not (hours.isdigit() and len(hours) <= 2 and int(hours) in HOURS):
        form = {"acknowledge": acknowledge, "answer_within_hours": answer_within_hours}
        errors = {"answer_within_hours": "Enter a whole number of hours from 1 to 72."}
        return _render(request, session, user, shop, form=form, errors=errors)
    preferences.acknowledge(session, shop, acknowledge == "on", int(hours))
    return _back(shop, "ack")
