"""The app factory: API, public web form and owner pages in one FastAPI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request, status
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from barberbot import __version__
from barberbot.core.db import Database
from barberbot.core.errors import install_error_handlers
from barberbot.core.http import BodyLimitMiddleware, RequestLogMiddleware
from barberbot.core.ratelimit import RateLimiter
from barberbot.core.settings import Settings
from barberbot.inquiries.api import router as inquiries_router
from barberbot.web.form import router as form_router
from barberbot.web.owner import router as owner_router
from barberbot.web.templating import STATIC_DIR


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or Settings()
    db = database or Database.from_url(settings.resolved_database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if database is None:
            db.engine.dispose()

    app = FastAPI(
        title="BarberBot",
        version=__version__,
        description="Capture barbershop customer inquiries from a web form, the API and the "
        "front-counter app.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key,
        session_cookie="barberbot_session",
        same_site="lax",
        https_only=settings.session_cookie_secure,
        max_age=14 * 24 * 3600,
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestLogMiddleware)
    install_error_handlers(app)

    app.include_router(inquiries_router)
    app.include_router(form_router)
    app.include_router(owner_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _add_health(app, db)
    return app


def _add_health(app: FastAPI, db: Database) -> None:
    @app.get("/healthz", tags=["health"], summary="The process is alive")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="The database is reachable")
    def readyz(request: Request) -> dict[str, str]:
        try:
            db.ping()
        except Exception as error:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, f"database unreachable: {type(error).__name__}"
            ) from None
        return {"status": "ready", "database": "ok"}
