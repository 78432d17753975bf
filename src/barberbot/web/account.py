"""The account page (`/account`) of every signed-in user: their name and password, signing out
everywhere, and their API tokens (listed, made with an optional expiry, revoked). Every form
posts, then redirects back, or shows its errors beside the field with what was typed (422);
a new token is shown on the answer to its form, once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from barberbot.auth import account, sessions, tokens
from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser, Now, session_id
from barberbot.core.deps import SessionDep
from barberbot.core.security_headers import NO_FRAMING
from barberbot.models import ApiToken, User
from barberbot.web.csrf import check_csrf, csrf_token
from barberbot.web.templating import templates

router = APIRouter(include_in_schema=False)
PAGE = "/account"
DONE = {
    "name": "Name saved.",
    "password": "Password changed. Every other browser signed in as you is signed out.",
    "revoked": "Token revoked: anything still using it is refused from now on.",
}
EXPIRIES = {"": "Never", "30": "In 30 days", "90": "In 90 days", "365": "In a year"}
TOKEN_NAME_LENGTH = 120


def _render(
    request: Request,
    session: Session,
    user: User,
    now: datetime,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    new_token: str = "",
) -> HTMLResponse:
    zone = ZoneInfo(next((s.timezone for s in auth.shops_of(user)), "UTC"))
    context: dict[str, Any] = {
        "user": user,
        "my_shops": auth.shops_of(user),
        "shop": None,
        "on_account": True,
        "csrf": csrf_token(request),
        "errors": errors or {},
        "values": {"name": user.name, "token_name": "", "expires": ""} | (values or {}),
        "done": DONE.get(request.query_params.get("done", ""), ""),
        "tokens": tokens.of_user(session, user),
        "state": lambda record: _state(record, now),
        "day": lambda at: at.astimezone(zone).strftime("%-d %b %Y") if at else "",
        "when": lambda at: at.astimezone(zone).strftime("%-d %b %Y %H:%M") if at else "never",
        "expiries": EXPIRIES,
        "new_token": new_token,
        "other_sessions": max(0, len(sessions.of_user(session, user.id, now)) - 1),
    }
    code = status.HTTP_422_UNPROCESSABLE_CONTENT if errors else status.HTTP_200_OK
    return templates.TemplateResponse(
        request, "account.html", context, status_code=code, headers=NO_FRAMING
    )


def _state(record: ApiToken, now: datetime) -> str:
    if record.revoked_at is not None:
        return "revoked"
    if record.expires_at is not None and record.expires_at <= now:
        return "expired"
    return "active"


def _back(done: str) -> RedirectResponse:
    return RedirectResponse(f"{PAGE}?done={done}", status.HTTP_303_SEE_OTHER)


@router.get(PAGE, response_class=HTMLResponse, name="account_page")
def account_page(request: Request, user: CurrentUser, session: SessionDep, now: Now) -> Response:
    return _render(request, session, user, now)


@router.post(PAGE + "/name", name="account_name")
def change_name(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    name: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        account.rename(session, user, name)
    except account.AccountInvalid as invalid:
        return _render(request, session, user, now, errors=invalid.errors, values={"name": name})
    return _back("name")


@router.post(PAGE + "/password", name="account_password")
def change_password(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        account.change_password(
            session, user, current_password, new_password, keep=session_id(request)
        )
    except account.AccountInvalid as invalid:  # passwords are never typed back in
        return _render(request, session, user, now, errors=invalid.errors)
    return _back("password")


@router.post(PAGE + "/sign-out-everywhere", name="account_sign_out_everywhere")
def sign_out_everywhere(
    request: Request, user: CurrentUser, session: SessionDep, csrf: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(request, csrf)
    sessions.end_all(session, user.id)
    request.session.clear()
    return RedirectResponse("/login?done=everywhere", status.HTTP_303_SEE_OTHER)


@router.post(PAGE + "/tokens", name="account_token_create")
def create_token(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    token_name: Annotated[str, Form()] = "",
    expires: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    errors = {}
    if not token_name.strip():
        errors["token_name"] = "Say what the token is for, e.g. “Front counter”."
    elif len(token_name.strip()) > TOKEN_NAME_LENGTH:
        errors["token_name"] = f"Keep the name under {TOKEN_NAME_LENGTH} characters."
    if expires not in EXPIRIES:
        errors["expires"] = "Choose one of the listed expiries."
    if errors:
        values = {"token_name": token_name, "expires": expires if expires in EXPIRIES else ""}
        return _render(request, session, user, now, errors=errors, values=values)
    expires_at = now + timedelta(days=int(expires)) if expires else None
    _, token = tokens.create(session, user, token_name, expires_at)
    return _render(request, session, user, now, new_token=token)


@router.post(PAGE + "/tokens/{token_id}/revoke", name="account_token_revoke")
def revoke_token(
    request: Request,
    token_id: str,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    record = next((t for t in tokens.of_user(session, user) if str(t.id) == token_id), None)
    if record is None:  # another user's token, or none: as if it did not exist
        raise HTTPException(status.HTTP_404_NOT_FOUND, "You have no such API token.")
    tokens.revoke(session, record, now)
    return _back("revoked")
