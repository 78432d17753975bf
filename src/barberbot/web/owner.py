"""The owner's pages: sign in and out, the shop's latest inquiries, the embed snippet."""

from __future__ import annotations

import math
from html import escape
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, BackgroundTasks, Form, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from barberbot.auth import attempts, mail, sessions
from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser, Now, OptionalUser, session_id
from barberbot.core.deps import SessionDep, SettingsDep, client_key
from barberbot.core.security_headers import NO_FRAMING
from barberbot.forms import service as forms
from barberbot.forms.answers import labelled
from barberbot.forms.deps import AnswerStoreDep
from barberbot.forms.store import AnswersUnavailable
from barberbot.inquiries import service as inquiries
from barberbot.models import Gender, Inquiry, Role, Shop, User
from barberbot.shops.deps import MemberShop
from barberbot.web.csrf import check_csrf, csrf_token
from barberbot.web.templating import templates

router = APIRouter(include_in_schema=False)


def public_base_url(request: Request, configured: str) -> str:
    return (configured or str(request.base_url)).rstrip("/")


def embed_snippet(base_url: str, shop: Shop) -> str:
    """The one line of HTML an owner pastes into their website."""
    src = f"{base_url}/s/{shop.slug}/inquire?embed=1"
    return (
        f'<iframe data-barberbot src="{_attr(src)}" title="{_attr("Ask " + shop.name)}" '
        'style="width:100%;max-width:36rem;height:62rem;border:0" loading="lazy"></iframe>'
        f'<script src="{_attr(base_url)}/static/embed.js" async></script>'
    )


def _attr(value: str) -> str:
    """Escaped for a double-quoted attribute; apostrophes stay readable."""
    return escape(value, quote=False).replace('"', "&quot;")


def owner_page(
    request: Request, user: User, template: str, context: dict[str, object]
) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        template,
        {"user": user, "my_shops": auth.shops_of(user), "csrf": csrf_token(request), **context},
        headers=NO_FRAMING,
    )


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status.HTTP_303_SEE_OTHER)


@router.get("/", name="home")
def home(request: Request, user: OptionalUser) -> Response:
    if user is None:
        return _to_login()
    shops = auth.shops_of(user)
    if len(shops) == 1:
        return RedirectResponse(f"/shops/{shops[0].slug}", status.HTTP_303_SEE_OTHER)
    return owner_page(request, user, "shops.html", {"shop": None})


@router.get("/login", response_class=HTMLResponse, name="login_form")
def login_form(request: Request, next: str = "", done: str = "") -> HTMLResponse:
    return _login_page(request, next=next, notice=LOGIN_NOTICES.get(done, ""))


LOGIN_NOTICES = {
    "password": "Your new password is set, and every session signed out: sign in with it.",
    "everywhere": "You are signed out everywhere.",
}


def _login_page(
    request: Request,
    *,
    next: str = "",
    email: str = "",
    error: str = "",
    notice: str = "",
    status_code: int = status.HTTP_200_OK,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    context = {
        "csrf": csrf_token(request),
        "next": local_path(next),
        "email": email,
        "error": error,
        "notice": notice,
    }
    return templates.TemplateResponse(
        request, "login.html", context, status_code=status_code,
        headers=NO_FRAMING | (headers or {}),
    )  # fmt: skip


def local_path(target: str) -> str:
    """Where to go after signing in: a path on this site, never another site."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""


@router.post("/login", name="login")
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: Now,
    background: BackgroundTasks,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    address, client = auth.normalise_email(email), client_key(request)
    wait = attempts.retry_after(session, address, client, now)
    if wait is not None:  # refused before the password is even looked at
        minutes = math.ceil(wait / 60)
        return _login_page(
            request,
            next=next,
            email=email,
            error=f"Too many failed sign-ins. Try again in {minutes} minute"
            f"{'s' if minutes > 1 else ''}, or use “Forgot password?”.",
            status_code=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(wait)},
        )
    user = auth.authenticate(session, email, password)
    if user is None:
        known = auth.by_email(session, address)
        if attempts.record_failure(session, address, client, now, known) and known:
            forgot = public_base_url(request, settings.public_url) + "/password/forgot"
            background.add_task(mail.send, settings, mail.locked_email(known, forgot))
        return _login_page(
            request,
            next=next,
            email=email,
            error="Wrong e-mail or password.",
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    request.session.clear()
    request.session[sessions.COOKIE_KEY] = sessions.start(session, user, now)
    return RedirectResponse(local_path(next) or "/", status.HTTP_303_SEE_OTHER)


@router.post("/logout", name="logout")
def logout(request: Request, session: SessionDep, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    signed = session_id(request)
    if signed is not None:
        sessions.end(session, signed)  # the cookie, replayed, signs no one in
    request.session.clear()
    return _to_login()


@router.get("/shops/{slug}", response_class=HTMLResponse, name="shop_page")
def shop_page(
    request: Request,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    answer_store: AnswerStoreDep,
) -> Response:
    zone = ZoneInfo(shop.timezone)
    base_url = public_base_url(request, settings.public_url)
    total = session.scalar(select(func.count()).where(Inquiry.shop_id == shop.id)) or 0
    latest = inquiries.latest(session, shop, 50)
    form = forms.current(session, shop)
    try:
        documents = answer_store.read(session, [inquiry.id for inquiry in latest])
        unreachable = False
    except AnswersUnavailable:  # the inquiries still show; their answers once it is back
        documents, unreachable = {}, True
    return owner_page(
        request,
        user,
        "shop.html",
        {
            "shop": shop,
            "total": total,
            "inquiries": latest,
            "answers": {id: labelled(form, doc.answers) for id, doc in documents.items()},
            "answers_unreachable": unreachable,
            "snippet": embed_snippet(base_url, shop),
            "form_url": f"{base_url}/s/{shop.slug}/inquire",
            "type_labels": shop.type_labels(),
            "is_owner": auth.role_in(user, shop) == Role.OWNER,
            "gender_label": lambda value: Gender(value).label,
            "local": lambda at: at.astimezone(zone).strftime("%d %b %Y %H:%M"),
        },
    )
