"""The Jinja environment shared by the public form and the owner pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request, status
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from barberbot.auth import service as auth
from barberbot.core.db import Database
from barberbot.core.security_headers import NO_FRAMING
from barberbot.inbox import counts
from barberbot.inquiries.contacts import phone_display, phone_href
from barberbot.models import Shop, User
from barberbot.web.csrf import csrf_token

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"


def _inbox_counts(request: Request) -> dict[str, Callable[[User], counts.Counts]]:
    """`inbox_counts(user)` for the nav bar of every owner page: called by the template only
    when it draws the nav, so the public pages never pay for it. Its own short read, as a
    template has no request session to share."""

    def inbox_counts(user: User) -> counts.Counts:
        db: Database = request.app.state.db
        with db.sessions() as session:
            return counts.counts(session, auth.shops_of(user))

    return {"inbox_counts": inbox_counts}


templates = Jinja2Templates(directory=HERE / "templates", context_processors=[_inbox_counts])
filters: dict[str, Any] = templates.env.filters
filters["phone"] = phone_display  # {{ i.phone | phone(shop.country) }}: '07700 900123'
filters["tel"] = phone_href  # {{ i.phone | tel(shop.country) }}: 'tel:+447700900123'


def shop_page(
    request: Request,
    template: str,
    user: User,
    shop: Shop,
    errors: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """An owner page of one shop, its nav and CSRF token filled in; 422 when it shows a form's
    errors; never framed."""
    context |= {
        "user": user,
        "my_shops": auth.shops_of(user),
        "csrf": csrf_token(request),
        "shop": shop,
        "errors": errors or {},
    }
    code = status.HTTP_422_UNPROCESSABLE_CONTENT if errors else status.HTTP_200_OK
    return templates.TemplateResponse(
        request, template, context, status_code=code, headers=NO_FRAMING
    )
