"""The hot path skips only what is declared, and what a hot route declares works on it.

Every middleware of the app runs for a hot request unless it is declared not to apply (with
its reason), whoever added it and whenever; a route calls its endpoint directly only when the
endpoint declares nothing else, and any other declaration (query, header, Depends, the
dependencies of the router that includes it...) gets FastAPI's full handling, hot or not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, cast

import pytest
from fastapi import (
    APIRouter,
    BackgroundTasks,
    Cookie,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Path,
    Request,
    Response,
    Security,
)
from fastapi.middleware.asyncexitstack import AsyncExitStackMiddleware
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from fastapi.telemetry._asgi import ExceptionTelemetryMiddleware
from fastapi.testclient import TestClient
from pydantic import BaseModel
from starlette.middleware import Middleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from barberbot.app import create_app
from barberbot.core import hotlayers, hotpath
from barberbot.core.db import Database
from barberbot.core.hotpath import HotPathApp
from barberbot.core.routing import DirectRoute, direct_handler
from barberbot.core.settings import Settings
from barberbot.inquiries.api import create_inquiry
from barberbot.inquiries.api import router as inquiries_router
from barberbot.models import Shop
from tests.factories import inquiry_payload

THROUGH_THE_STACK = {"Cookie": "theme=dark"}


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the hot path took (a spy on it)."""
    paths: list[str] = []
    original = hotpath.HotPaths.match

    def spy(self: hotpath.HotPaths, scope: Scope) -> hotlayers.HotMatch | None:
        found = original(self, scope)
        if found is not None:
            paths.append(scope["path"])
        return found

    monkeypatch.setattr(hotpath.HotPaths, "match", spy)
    return paths


def _spy_on(monkeypatch: pytest.MonkeyPatch, classes: list[type]) -> list[type]:
    """The middleware classes that handle an HTTP request, in the order they run."""
    ran: list[type] = []
    for cls in dict.fromkeys(classes):
        original = cls.__call__

        async def spy(
            self: Any,
            scope: Scope,
            receive: Receive,
            send: Send,
            *,
            _cls: type = cls,
            _run: Any = original,
        ) -> None:
            if scope["type"] == "http":
                ran.append(_cls)
            await _run(self, scope, receive, send)

        monkeypatch.setattr(cls, "__call__", spy)
    return ran


def test_every_middleware_runs_on_the_hot_path_or_is_declared_with_its_reason(
    app: HotPathApp, shop: Shop, taken: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    declared = app.hot_path_skips
    users: list[type] = [cast(type, middleware.cls) for middleware in app.user_middleware]
    fastapis: list[type] = [ServerErrorMiddleware, ExceptionTelemetryMiddleware]
    routing: list[type] = [ExceptionMiddleware, AsyncExitStackMiddleware]
    ran = _spy_on(monkeypatch, [*fastapis, *users, *routing])
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    with TestClient(app) as client:
        hot = client.post(url, json=inquiry_payload())
        on_the_hot_path = ran.copy()
        ran.clear()
        stack = client.post(url, json=inquiry_payload(), headers=THROUGH_THE_STACK)

    assert (hot.status_code, stack.status_code) == (201, 201)
    assert taken == [url]
    assert declared, "the app declares the middleware its capture route skips"
    assert set(declared) <= set(users)
    assert all(skip.reason.strip() for skip in declared.values())
    # the hot path: everything but what is declared, in the same order; then the endpoint is
    # called directly instead of being routed (the exception middleware's part is its own)
    assert on_the_hot_path == [*fastapis, *(cls for cls in users if cls not in declared)]
    assert ran == [*fastapis, *users, *routing]


class Stamp:
    """A middleware added to the app without a word about the hot path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-stamp", b"yes")]
            await send(message)

        await self.app(scope, receive, stamped)


@pytest.mark.parametrize("where", ["outermost", "innermost"])
def test_a_middleware_added_later_runs_on_the_hot_path(
    settings: Settings, database: Database, shop: Shop, taken: list[str], where: str
) -> None:
    app = create_app(settings, database)
    if where == "outermost":
        app.add_middleware(Stamp)
    else:
        app.user_middleware.append(Middleware(Stamp))
    url = f"/api/v1/shops/{shop.slug}/inquiries"
    with TestClient(app) as client:
        hot = client.post(url, json=inquiry_payload())
        stack = client.post(url, json=inquiry_payload(), headers=THROUGH_THE_STACK)

    assert taken == [url]
    assert (hot.status_code, stack.status_code) == (201, 201)
    assert hot.headers["x-stamp"] == stack.headers["x-stamp"] == "yes"


# A hot route that declares a query parameter, a header through a dependency, and is included
# by a router with a dependency of its own; and a bare one included the same way.
audited: list[str] = []


async def audit(request: Request) -> None:
    audited.append(request.url.path)


def shouted(x_tag: Annotated[str, Header()]) -> str:
    return x_tag.upper()


async def echo(
    request: Request, slug: str, q: int, tag: Annotated[str, Depends(shouted)]
) -> Response:
    return JSONResponse({"slug": slug, "q": q, "tag": tag, "method": request.method})


async def bare(request: Request, slug: str) -> Response:
    return JSONResponse({"slug": slug})


@pytest.fixture
def declaring_app(settings: Settings, database: Database) -> Iterator[FastAPI]:
    app = create_app(settings, database)
    router = APIRouter(prefix="/api/v1/echo/{slug}")
    router.add_api_route("", echo, methods=["POST"], route_class_override=DirectRoute)
    router.add_api_route("/bare", bare, methods=["POST"], route_class_override=DirectRoute)
    app.include_router(router, dependencies=[Depends(audit)])
    app.answer_first("POST", echo)
    app.answer_first("POST", bare)
    audited.clear()
    yield app
    audited.clear()


def _both(send: Callable[[dict[str, str]], Any]) -> tuple[Any, Any]:
    return send({}), send(THROUGH_THE_STACK)


def test_what_a_hot_route_declares_works_on_it(declaring_app: FastAPI, taken: list[str]) -> None:
    url = "/api/v1/echo/abc"
    with TestClient(declaring_app) as client:
        answers = _both(
            lambda h: client.post(url, params={"q": "7"}, headers={"X-Tag": "red", **h})
        )
        invalid = _both(lambda h: client.post(url, params={"q": "x"}, headers={"X-Tag": "r", **h}))
        missing = _both(lambda h: client.post(url, params={"q": "7"}, headers=h))

    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"slug": "abc", "q": 7, "tag": "RED", "method": "POST"}
    for refused in (*invalid, *missing):
        assert refused.status_code == 422
    assert invalid[0].content == invalid[1].content
    assert missing[0].content == missing[1].content
    assert "q" in invalid[0].json()["errors"]
    assert taken == [url] * 3
    assert audited == [url] * 6  # the including router's dependency, on every request


def test_a_bare_endpoint_keeps_the_dependencies_of_the_router_including_it(
    declaring_app: FastAPI, taken: list[str]
) -> None:
    url = "/api/v1/echo/abc/bare"
    with TestClient(declaring_app) as client:
        answers = _both(lambda headers: client.post(url, headers=headers))

    assert [a.json() for a in answers] == [{"slug": "abc"}] * 2
    assert taken == [url]
    assert audited == [url] * 2


# What `direct_handler` calls directly, and what it leaves to FastAPI.
class Body(BaseModel):
    name: str


def _constant() -> str:
    return "x"


async def request_and_path(request: Request, slug: str) -> Response:
    return Response()


async def path_only(slug: str) -> Response:
    return Response()


async def request_last(slug: str, request: Request) -> Response:
    return Response()


async def rest_of_path(request: Request, rest: str) -> Response:
    return Response()


async def with_query(request: Request, slug: str, q: int = 0) -> Response:
    return Response()


async def with_header(request: Request, slug: str, x_tag: Annotated[str, Header()]) -> Response:
    return Response()


async def with_cookie(request: Request, slug: str, theme: Annotated[str, Cookie()]) -> Response:
    return Response()


async def with_body(request: Request, slug: str, body: Body) -> Response:
    return Response()


async def with_depends(
    request: Request, slug: str, x: Annotated[str, Depends(_constant)]
) -> Response:
    return Response()


async def with_security(
    request: Request, slug: str, token: Annotated[Any, Security(HTTPBearer())]
) -> Response:
    return Response()


async def with_background(request: Request, slug: str, tasks: BackgroundTasks) -> Response:
    return Response()


async def with_response(request: Request, slug: str, response: Response) -> Response:
    return response


async def returns_a_model(request: Request, slug: str) -> dict[str, str]:
    return {}


async def not_annotated(request: Request, slug: str):  # type: ignore[no-untyped-def]
    return Response()


def sync(request: Request, slug: str) -> Response:
    return Response()


async def an_int(request: Request, slug: int) -> Response:
    return Response()


async def constrained(request: Request, slug: Annotated[str, Path(max_length=3)]) -> Response:
    return Response()


async def skips_a_path_parameter(request: Request) -> Response:
    return Response()


@pytest.mark.parametrize(
    ("path", "endpoint", "options", "direct"),
    [
        ("/s/{slug}", request_and_path, {}, True),
        ("/s/{slug}", path_only, {}, True),
        ("/s/{slug}", request_last, {}, True),
        ("/s/{rest:path}", rest_of_path, {}, True),
        ("/s/{slug}", with_query, {}, False),
        ("/s/{slug}", with_header, {}, False),
        ("/s/{slug}", with_cookie, {}, False),
        ("/s/{slug}", with_body, {}, False),
        ("/s/{slug}", with_depends, {}, False),
        ("/s/{slug}", with_security, {}, False),
        ("/s/{slug}", with_background, {}, False),
        ("/s/{slug}", with_response, {}, False),
        ("/s/{slug}", returns_a_model, {}, False),
        ("/s/{slug}", not_annotated, {}, False),
        ("/s/{slug}", sync, {}, False),
        ("/s/{slug}", an_int, {}, False),
        ("/s/{slug:int}", request_and_path, {}, False),
        ("/s/{slug}", constrained, {}, False),
        ("/s/{slug}", skips_a_path_parameter, {}, False),
        ("/s/{slug}", request_and_path, {"dependencies": [Depends(_constant)]}, False),
    ],
)
def test_only_an_endpoint_that_declares_nothing_else_is_called_directly(
    path: str, endpoint: Callable[..., Any], options: dict[str, Any], direct: bool
) -> None:
    route = DirectRoute(path, endpoint, methods=["POST"], **options)

    assert (direct_handler(route) is not None) is direct


def test_the_capture_route_is_called_directly() -> None:
    (route,) = [
        r for r in inquiries_router.routes if getattr(r, "endpoint", None) is create_inquiry
    ]

    assert isinstance(route, DirectRoute)
    assert direct_handler(route) is not None


def test_a_declaration_says_why_and_names_a_middleware_of_the_app(
    settings: Settings, database: Database
) -> None:
    app = create_app(settings, database)
    with pytest.raises(ValueError, match="say why"):
        app.skip_on_hot_path(Stamp, reason=" ", when=lambda scope: True)
    app.skip_on_hot_path(Stamp, reason="never added", when=lambda scope: True)

    with pytest.raises(RuntimeError, match="Stamp is declared skippable but not in the app"):
        app.build_middleware_stack()


def test_a_hot_route_that_writes_the_session_is_refused_loudly(
    settings: Settings, database: Database, taken: list[str]
) -> None:
    async def remember(request: Request, slug: str) -> Response:
        request.session["seen"] = slug
        return Response(status_code=204)

    app = create_app(settings, database)
    app.add_api_route("/api/v1/remember/{slug}", remember, methods=["POST"])
    app.answer_first("POST", remember)
    with TestClient(app, raise_server_exceptions=False) as client:
        hot = client.post("/api/v1/remember/x")
        stack = client.post("/api/v1/remember/x", headers=THROUGH_THE_STACK)

    assert taken == ["/api/v1/remember/x"]
    assert hot.status_code == 500  # never a silently lost cookie
    assert stack.status_code == 204
    assert "barberbot_session=" in stack.headers["set-cookie"]


def test_a_route_of_another_class_on_the_hot_path_is_routed_as_usual(
    settings: Settings, database: Database, taken: list[str]
) -> None:
    async def teapot(request: Request, slug: str) -> Response:
        raise HTTPException(418, f"{slug} is short and stout")

    app = create_app(settings, database)
    app.add_api_route("/api/v1/teapot/{slug}", teapot, methods=["POST"])  # a plain APIRoute
    app.answer_first("POST", teapot)
    with TestClient(app) as client:
        answers = _both(lambda headers: client.post("/api/v1/teapot/x", headers=headers))

    assert taken == ["/api/v1/teapot/x"]
    assert [a.status_code for a in answers] == [418, 418]
    assert answers[0].content == answers[1].content == b'{"detail":"x is short and stout"}'
