"""The Jinja environment shared by the public form and the owner pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from barberbot.auth import service as auth
from barberbot.core.db import Database
from barberbot.inbox import counts
from barberbot.inquiries.contacts import phone_display, phone_href
from barberbot.models import User

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
