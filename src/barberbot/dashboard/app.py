"""Mounting the dashboard on the FastAPI app: Dash on its FastAPI backend, behind a login."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from dash import Dash
from dash.backends._fastapi import reset_current_request, set_current_request
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from barberbot.auth import sessions
from barberbot.core.db import Database
from barberbot.dashboard import callbacks, downloads
from barberbot.dashboard.layout import page
from barberbot.dashboard.state import ViewState, from_query
from barberbot.dashboard.views import filter_options, resolve
from barberbot.models.base import utcnow

PREFIX = "/dashboard/"
ASSETS = Path(__file__).parent / "assets"


def mount_dashboard(app: FastAPI, db: Database) -> Dash:
    """Serve the dashboard under /dashboard/ from `app` itself (one process, one port)."""
    dash_app = Dash(
        __name__,
        server=cast(Any, app),  # Dash's annotations predate its FastAPI backend
        backend="fastapi",
        url_base_pathname=PREFIX,
        title="BarberBot — customers",
        assets_folder=str(ASSETS),
        update_title=cast(Any, None),  # no 'Updating...' flicker on the live refresh
        suppress_callback_exceptions=False,
    )

    def layout() -> object:
        with db.sessions() as session:
            view = resolve(session, callbacks.current_user_id(), ViewState())
            return page(view.shops, *filter_options(session, view))

    dash_app.layout = layout
    callbacks.register(dash_app, db)
    _add_downloads(app, db)  # before the catch-all, which would answer these paths too
    _scope_catchall_to_prefix(app, dash_app)
    return dash_app


def _add_downloads(app: FastAPI, db: Database) -> None:
    """/dashboard/export.csv?<the view's filters>, and .xlsx: streamed, the user's shops only."""

    async def export_inquiries(request: Request, kind: str) -> StreamingResponse:
        if kind not in downloads.KINDS:
            raise HTTPException(status_code=404)
        state = from_query(request.url.query)
        name = downloads.filename(kind, datetime.now())
        user = signed_in_user_id(request.scope)
        answers = getattr(request.app.state, "answer_store", None)
        return StreamingResponse(
            downloads.chunks(db, user, state, kind, answers),
            media_type=downloads.KINDS[kind],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    app.add_api_route(
        downloads.EXPORT_PATH + ".{kind}", export_inquiries, methods=["GET"],
        include_in_schema=False,
    )  # fmt: skip


def _scope_catchall_to_prefix(app: FastAPI, dash_app: Dash) -> None:
    """Dash would answer every unknown path of the whole app with its page; only its own."""

    async def dashboard_page(request: Request, path: str) -> HTMLResponse:
        token = set_current_request(request)
        try:
            return HTMLResponse(dash_app.index())
        finally:
            reset_current_request(token)

    app.add_api_route(
        PREFIX + "{path:path}", dashboard_page, methods=["GET"], include_in_schema=False
    )
    dash_app.backend._setup_catchall = lambda: None  # type: ignore[attr-defined]


def under_dashboard(scope: Scope) -> bool:
    """The request is for the dashboard: the only paths its guard and Dash look at."""
    path: str = scope.get("path", "")
    return path.startswith(PREFIX) or path == PREFIX[:-1]


def outside_dashboard(scope: Scope) -> bool:
    return not under_dashboard(scope)


USER_KEY = callbacks.USER_KEY


def signed_in_user_id(scope: Scope) -> int | None:
    """The user the guard let in (None outside a guarded request)."""
    user_id = scope.get(USER_KEY)
    return user_id if isinstance(user_id, int) else None


class DashboardLoginGuard:
    """Signed-in users only: the page redirects to the login, its API calls answer 401.

    Pure ASGI and a prefix test, so it costs the rest of the app nothing; it sits inside the
    session middleware so it can read the cookie's session id, and looks that up in the
    server-side sessions (one primary-key lookup), leaving the user's id in the scope.
    """

    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not under_dashboard(scope):
            await self.app(scope, receive, send)
            return
        signed = scope.get("session", {}).get(sessions.COOKIE_KEY)
        clock: Callable[[], datetime] = getattr(scope["app"].state, "clock", utcnow)
        if isinstance(signed, str):
            user_id = await run_in_threadpool(self._user_id, signed, clock())
            if user_id is not None:
                scope[USER_KEY] = user_id
                await self.app(scope, receive, send)
                return
        if "/_dash-" in scope["path"]:
            response: JSONResponse | RedirectResponse = JSONResponse(
                {"detail": "Sign in to see the dashboard."}, status_code=401
            )
        else:
            response = RedirectResponse(f"/login?next={PREFIX}", status_code=303)
        await response(scope, receive, send)

    def _user_id(self, signed: str, now: datetime) -> int | None:
        with self.db.sessions() as session:
            found = sessions.find(session, signed, now)
            return None if found is None else found.user_id
