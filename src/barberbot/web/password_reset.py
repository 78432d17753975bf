""" "Forgot password?": ask for a link by e-mail (`/password/forgot`), then set a new password
with it (`/password/reset/{secret}`). The answer is the same whether or not an account has
the address; the link works once, for an hour, and using it signs the user out everywhere."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from barberbot.auth import account, mail, resets
from barberbot.auth import service as auth
from barberbot.auth.deps import Now
from barberbot.core.deps import SessionDep, SettingsDep
from barberbot.core.security_headers import NO_FRAMING
from barberbot.web.csrf import check_csrf, csrf_token
from barberbot.web.owner import public_base_url
from barberbot.web.templating import templates

router = APIRouter(include_in_schema=False)
FORGOT = "/password/forgot"
RESET = "/password/reset/{secret}"


def _page(
    request: Request, template: str, context: dict[str, Any], code: int = status.HTTP_200_OK
) -> HTMLResponse:
    context = {"csrf": csrf_token(request), "errors": {}} | context
    return templates.TemplateResponse(
        request, template, context, status_code=code, headers=NO_FRAMING
    )


@router.get(FORGOT, response_class=HTMLResponse, name="password_forgot_form")
def forgot_form(request: Request, sent: str = "") -> HTMLResponse:
    return _page(request, "password_forgot.html", {"sent": sent == "1"})


@router.post(FORGOT, name="password_forgot")
def forgot(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    background: BackgroundTasks,
    email: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    user = auth.by_email(session, email)
    secret = resets.create(session, user, now) if user is not None else None
    if user is not None and secret is not None:  # sent after the answer: it looks the same
        link = public_base_url(request, settings.public_url) + f"/password/reset/{secret}"
        background.add_task(mail.send, settings, mail.reset_email(user, link))
    return RedirectResponse(FORGOT + "?sent=1", status.HTTP_303_SEE_OTHER)


def _gone(request: Request) -> HTMLResponse:
    return _page(request, "password_reset.html", {"gone": True}, status.HTTP_410_GONE)


@router.get(RESET, response_class=HTMLResponse, name="password_reset_form")
def reset_form(request: Request, secret: str, session: SessionDep, now: Now) -> HTMLResponse:
    if resets.find(session, secret, now) is None:
        return _gone(request)
    return _page(request, "password_reset.html", {"secret": secret})


@router.post(RESET, name="password_reset")
def reset(
    request: Request,
    secret: str,
    session: SessionDep,
    now: Now,
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    found = resets.find(session, secret, now)
    if found is None:
        return _gone(request)
    try:
        resets.use(session, found, password, now)
    except account.AccountInvalid as invalid:
        context = {"secret": secret, "errors": invalid.errors}
        return _page(request, "password_reset.html", context, status.HTTP_422_UNPROCESSABLE_CONTENT)
    request.session.clear()  # whoever was signed in here was signed out with the rest
    return RedirectResponse("/login?done=password", status.HTTP_303_SEE_OTHER)
