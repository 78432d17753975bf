"""The app factory: API, public web form and owner pages in one FastAPI app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from dash.backends._fastapi import DashMiddleware
from fastapi import FastAPI, HTTPException, Response, status
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.middleware.sessions import SessionMiddleware

from barberbot import __version__
from barberbot.analytics.settling import SettlingTask
from barberbot.campaigns.api import router as campaigns_router
from barberbot.campaigns.background import SenderThread
from barberbot.core.db import Database
from barberbot.core.hotlayers import EmptySession, without_cookie
from barberbot.core.hotpath import HotPathApp
from barberbot.core.http import BodyLimitMiddleware, RequestLogMiddleware
from barberbot.core.logging import configure_logging
from barberbot.core.openapi import document_errors, document_models
from barberbot.core.ratelimit import RateLimiter
from barberbot.core.security_headers import SecurityHeadersMiddleware
from barberbot.core.settings import Settings
from barberbot.dashboard.app import DashboardLoginGuard, mount_dashboard, outside_dashboard
from barberbot.forms.api import install_form_error_handlers
from barberbot.forms.api import router as forms_router
from barberbot.forms.shop_cache import ShopCache
from barberbot.forms.store import AnswerStore
from barberbot.forms.stores import answer_store_for
from barberbot.inbox.api import router as inbox_router
from barberbot.inbox.api import updates_router as inbox_updates_router
from barberbot.inbox.sender import inbox_sending
from barberbot.inbox.settings_api import router as inbox_settings_router
from barberbot.inquiries.api import create_inquiry
from barberbot.inquiries.api import router as inquiries_router
from barberbot.inquiries.group_commit import GroupCommit
from barberbot.inquiries.intake import DirectIntake, Intake
from barberbot.inquiries.rules import InquiryCreate
from barberbot.models.base import utcnow
from barberbot.shops.api import router as shops_router
from barberbot.streaming import kafka_config, metrics
from barberbot.streaming.intake import StreamIntake
from barberbot.streaming.outbox import Outbox
from barberbot.streaming.relay import Relay
from barberbot.web.account import router as account_router
from barberbot.web.campaigns import router as campaign_pages_router
from barberbot.web.consent import router as consent_router
from barberbot.web.errors import install_error_handlers
from barberbot.web.form import router as form_router
from barberbot.web.form_editor import router as form_editor_router
from barberbot.web.import_jobs import ImportJobs
from barberbot.web.imports import UPLOAD_BODY_BYTES as IMPORT_UPLOAD_BYTES
from barberbot.web.imports import UPLOAD_PATH as IMPORT_UPLOAD_PATH
from barberbot.web.imports import router as import_pages_router
from barberbot.web.inbox import router as inbox_pages_router
from barberbot.web.inbox_settings import router as inbox_settings_pages_router
from barberbot.web.inquiry import router as inquiry_pages_router
from barberbot.web.outbox import router as outbox_router
from barberbot.web.owner import router as owner_router
from barberbot.web.password_reset import router as password_reset_router
from barberbot.web.saved_replies import router as saved_replies_router
from barberbot.web.settings import LOGO_UPLOAD_MAX, LOGO_UPLOAD_PATH
from barberbot.web.settings import router as shop_settings_pages_router
from barberbot.web.templating import STATIC_DIR


def create_app(settings: Settings | None = None, database: Database | None = None) -> HotPathApp:
    if settings is None:  # built from the environment, as `uvicorn --factory` does
        settings = Settings()
        configure_logging(settings.log_level, settings.log_format)
    db = database or Database.from_url(settings.resolved_database_url)

    answers = answer_store_for(settings)
    intake, relay = _intake_for(settings, db, answers)
    # the writers' side settles the rollups and customers, here where no Kafka worker does
    interval = settings.settle_interval_seconds
    settling = SettlingTask(db, interval) if settings.settles_in_serve else None
    # and sends, where no separate sender runs (`make run`): messages go out within seconds
    # (the inbox's replies, acknowledgements and notifications in the same loop)
    sender = (
        SenderThread(db, settings, inbox_sending(db, settings)) if settings.sends_in_serve else None
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if relay is not None:
            relay.start()
        if settling is not None:
            settling.start()
        if sender is not None:
            sender.start()
        yield
        if sender is not None:
            await asyncio.to_thread(sender.stop)
        if settling is not None:
            await settling.stop()
        if relay is not None:
            relay.stop()
        intake.close()  # what is queued is written (or the outbox closed)
        answers.close()
        if database is None:
            db.engine.dispose()

    app = HotPathApp(
        title="BarberBot",
        version=__version__,
        description="Capture barbershop customer inquiries from a web form, the API and the "
        "front-counter app.",
        lifespan=lifespan,
        # Metrics are Prometheus' (/metrics); FastAPI's OpenTelemetry hooks would only cost
        # every request a look at the global providers.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.db = db
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.shop_cache = ShopCache(db)
    app.state.intake = intake
    app.state.answer_store = answers
    app.state.relay = relay
    app.state.sender = sender
    app.state.import_jobs = ImportJobs()
    app.state.clock = utcnow  # what "now" is for sessions, tokens and sign-in limits

    app.add_middleware(DashboardLoginGuard, db=db)  # added first: inside the session
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key,
        session_cookie="barberbot_session",
        same_site="lax",
        https_only=settings.session_cookie_secure,
        max_age=14 * 24 * 3600,
    )
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        # a logo may be chosen larger than it may be, to be refused beside its field
        uploads=[
            (LOGO_UPLOAD_PATH, LOGO_UPLOAD_MAX),
            (IMPORT_UPLOAD_PATH, IMPORT_UPLOAD_BYTES),
        ],
    )
    install_error_handlers(app)
    install_form_error_handlers(app)

    app.include_router(inquiries_router)
    document_models(app, InquiryCreate)  # the capture endpoint reads its own body
    document_errors(app)
    app.include_router(inbox_router)
    app.include_router(inbox_updates_router)
    app.include_router(inbox_settings_router)
    app.include_router(shops_router)
    app.include_router(forms_router)
    app.include_router(form_router)
    app.include_router(owner_router)
    app.include_router(campaigns_router)
    app.include_router(consent_router)
    app.include_router(campaign_pages_router)
    app.include_router(form_editor_router)
    app.include_router(outbox_router)
    app.include_router(inbox_pages_router)
    app.include_router(inquiry_pages_router)
    app.include_router(saved_replies_router)
    app.include_router(inbox_settings_pages_router)
    app.include_router(shop_settings_pages_router)
    app.include_router(import_pages_router)
    app.include_router(account_router)
    app.include_router(password_reset_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    mount_dashboard(app, db)
    app.add_middleware(SecurityHeadersMiddleware)
    # outermost (after the dashboard's own middleware): every answer is logged as it went out
    app.add_middleware(RequestLogMiddleware)
    _add_health(app, db, relay)
    _hot_path(app)
    return app


def _hot_path(app: HotPathApp) -> None:
    """Capturing an inquiry goes through the stack without the middleware that has nothing to
    do for it (core/hotpath.py); any middleware not declared here runs for it too."""
    app.answer_first("POST", create_inquiry)
    app.skip_on_hot_path(
        SessionMiddleware,
        reason="without a cookie it only gives an empty session: the stand-in gives that",
        when=without_cookie,
        stand_in=EmptySession,
    )
    app.skip_on_hot_path(
        DashboardLoginGuard, reason="it only guards the dashboard's paths", when=outside_dashboard
    )
    app.skip_on_hot_path(
        DashMiddleware, reason="Dash's middleware only serves the dashboard", when=outside_dashboard
    )


def _intake_for(
    settings: Settings, db: Database, answers: AnswerStore
) -> tuple[Intake, Relay | None]:
    """The one decision between storing inquiries at once and streaming them through Kafka."""
    if not settings.streaming:
        return DirectIntake(GroupCommit(db, answers=answers)), None
    outbox = Outbox(settings.resolved_outbox_path)
    relay = Relay(outbox, settings.kafka_topic, kafka_config.producer(settings))
    return StreamIntake(outbox), relay


def _add_health(app: FastAPI, db: Database, relay: Relay | None) -> None:
    @app.get("/healthz", tags=["health"], summary="The process is alive")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["health"], summary="The database (and the outbox) are usable")
    def readyz() -> dict[str, str | int]:
        try:
            db.ping()
        except Exception as error:
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, f"database unreachable: {type(error).__name__}"
            ) from None
        report: dict[str, str | int] = {"status": "ready", "database": "ok"}
        if relay is not None:
            backlog = relay.outbox.backlog()
            metrics.OUTBOX_BACKLOG.set(backlog)
            report |= {"outbox_backlog": backlog, "broker": relay.broker_state}
        return report

    @app.get(
        "/metrics",
        tags=["health"],
        summary="Prometheus metrics",
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "The metrics"}},
    )
    def prometheus_metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
