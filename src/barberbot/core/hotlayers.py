"""The layers the hot path puts in the app's stack (core/hotpath.py says why and where)."""

from __future__ import annotations

import inspect
import operator
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import Session
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from barberbot.core.routing import Handler

HOT = "barberbot.hot"  # the scope key under which a hot request carries its `HotMatch`

StandIn = Callable[[ASGIApp], ASGIApp]


@dataclass(frozen=True)
class HotRoute:
    """A hot route as the app includes it (prefix and dependencies of its routers)."""

    method: str
    path: re.Pattern[str]
    convertors: Mapping[str, Convertor[Any]]
    route: BaseRoute
    endpoint: Callable[..., Any]
    call: Handler | None  # the direct call, or None: the route is routed as usual
    strings: bool  # every path parameter is a string: nothing to convert


class HotMatch:
    """A hot request's route and path parameters (a plain class: made on every request)."""

    __slots__ = ("path", "path_params", "route")

    def __init__(self, route: HotRoute, path: str, path_params: dict[str, Any]) -> None:
        self.route, self.path, self.path_params = route, path, path_params


class Skippable:
    """A declared middleware: skipped on a hot request, or replaced by its stand-in."""

    def __init__(self, app: ASGIApp, middleware: Middleware, stand_in: StandIn | None) -> None:
        cls, args, kwargs = middleware
        self.layer: ASGIApp = cls(app, *args, **kwargs)
        self.hot = app if stand_in is None else stand_in(app)

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        # the chosen layer's awaitable itself: a switch needs no coroutine of its own
        return (self.hot if HOT in scope else self.layer)(scope, receive, send)


class HotEndpoints:
    """In place of FastAPI's exception middleware and router (`app`) for a hot request to a
    route that calls its endpoint directly: the call, and the app's handler for an error."""

    def __init__(self, app: ASGIApp, handlers: Mapping[Any, Callable[..., Any]]) -> None:
        self.app = app
        self.status_handlers = {k: v for k, v in handlers.items() if isinstance(k, int)}
        self.class_handlers = {k: v for k, v in handlers.items() if not isinstance(k, int)}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        hot: HotMatch | None = scope.get(HOT)
        if hot is None or hot.route.call is None or scope["path"] != hot.path:
            await self.app(scope, receive, send)  # routed as usual (a middleware may reroute)
            return
        call, route = hot.route.call, hot.route
        # what the router puts in the scope for the endpoint
        scope["endpoint"], scope["route"], scope["path_params"] = (
            route.endpoint,
            route.route,
            hot.path_params,
        )
        request = Request(scope, receive, send)
        response: Response | None
        try:
            response = await call(request)
        except Exception as error:
            response = await self._handle(request, error)
        if response is not None:
            # an error from sending goes on to the server-error layer as it is: the answer
            # has started, and then the exception middleware would not answer either
            await response(scope, receive, send)

    async def _handle(self, request: Request, error: Exception) -> Response | None:
        """The app's handler's answer, found as the exception middleware finds it: an HTTP
        error's status code first, then the error's classes in order. No handler: the error
        goes on to the server-error layer (500), as through the stack."""
        handler = None
        if isinstance(error, HTTPException):
            handler = self.status_handlers.get(error.status_code)
        if handler is None:
            for cls in type(error).__mro__:
                handler = self.class_handlers.get(cls)
                if handler is not None:
                    break
        if handler is None:
            raise error
        if inspect.iscoroutinefunction(handler):
            response: Response | None = await handler(request, error)
        else:
            response = await run_in_threadpool(handler, request, error)
        error.__traceback__ = None  # as the exception middleware: reused errors keep none
        return response


class EmptySession:
    """The session middleware's part on a request without a cookie: an empty session, and
    `Vary: Cookie` on an answer that read it. A hot route must not write it (the middleware
    would set a cookie): that is refused, loudly."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope["session"] = Session()

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start" and session.accessed:
                if session.modified:
                    raise RuntimeError("a hot route wrote the session: take it off the hot path")
                _vary_cookie(message)
            await send(message)

        await self.app(scope, receive, send_with_vary)


def _vary_cookie(message: Message) -> None:
    """`Vary: Cookie` added to the answer's headers exactly as the session middleware adds it
    (a `MutableHeaders`, merged into a Vary already there), without the Headers objects when
    there is none (~2 µs)."""
    headers = message.get("headers", [])
    if b"vary" in map(_name, headers):
        MutableHeaders(scope=message).add_vary_header("Cookie")
    else:
        message["headers"] = [*headers, (b"vary", b"Cookie")]


def without_cookie(scope: Scope) -> bool:
    return b"cookie" not in map(_name, scope["headers"])


_name = operator.itemgetter(0)  # of a raw header: the names looked through in C, not a loop
