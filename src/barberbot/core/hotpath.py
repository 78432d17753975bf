"""Hot routes: the few endpoints hit in bulk, answered ahead of the middleware stack.

Every request through the app passes the whole Starlette stack: Dash's middleware, the
request log, the body limit, the session cookie, the dashboard guard, FastAPI's exception
middleware and the router. Together that is about 90 µs of CPU a request, more than
validating and storing an inquiry (docs/benchmarks.md). Capturing an inquiry is the one
route customers' browsers and shop integrations call in bulk, so `HotPaths` answers it first,
with exactly the parts of the stack it uses:

- a request id in `X-Request-ID` and the access log line (`core.http`);
- the body limit, declared or streamed (413);
- the app's own exception handlers, so an error has the same status, body and headers as
  through the stack.

A request that carries a cookie takes the full stack: only the session middleware reads
cookies, and a signed-in owner trying the API from the browser is not bulk traffic. The
route is still declared on the app as usual (OpenAPI, and the cookie case); a test sends the
same requests both ways and compares the answers (tests/core/test_hotpath.py).
"""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute, APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from barberbot.core.http import (
    REQUEST_ID_HEADER,
    BodyTooLarge,
    declared_too_large,
    limited,
    log_request,
    new_request_id,
)

Endpoint = Callable[..., Awaitable[Response]]


@dataclass(frozen=True)
class HotRoute:
    """`endpoint(request, **named groups of path)` for requests of `method` on `path`."""

    method: str
    path: re.Pattern[str]
    endpoint: Endpoint


class HotPathApp(FastAPI):
    """FastAPI whose hot endpoints are answered before its middleware stack."""

    def __init__(self, *args: Any, max_body_bytes: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hot_routes: list[HotRoute] = []
        self.max_body_bytes = max_body_bytes

    def answer_first(self, router: APIRouter, method: str, endpoint: Endpoint) -> None:
        """Answer `endpoint` ahead of the stack, at the path `router` gives it (the router is
        included in the app as it is), so the two can never disagree."""
        routes = [
            route
            for route in router.routes
            if isinstance(route, APIRoute)
            and route.endpoint is endpoint
            and method in (route.methods or ())
        ]
        if len(routes) != 1:
            raise RuntimeError(f"{endpoint.__name__} is not routed once for {method}")
        self.hot_routes.append(HotRoute(method, routes[0].path_regex, endpoint))

    def build_middleware_stack(self) -> ASGIApp:
        return HotPaths(self, super().build_middleware_stack(), self.hot_routes)


class HotPaths:
    def __init__(self, app: HotPathApp, stack: ASGIApp, routes: Sequence[HotRoute]) -> None:
        self.app = app
        self.stack = stack
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _has_cookie(scope):
            for route in self.routes:
                found = route.path.match(scope["path"])  # the router's anchored pattern
                if found is not None and scope["method"] == route.method:
                    await self._answer(route, found.groupdict(), scope, receive, send)
                    return
        await self.stack(scope, receive, send)

    async def _answer(
        self, route: HotRoute, params: dict[str, str], scope: Scope, receive: Receive, send: Send
    ) -> None:
        request_id, started, status = new_request_id(), time.perf_counter(), 500
        # no cookie: the empty session the session middleware would give, and as it does, an
        # answer that looked at the session varies with the cookie
        session = scope["session"] = Session()
        try:
            request = Request(scope, limited(receive, self.app.max_body_bytes))
            response = await self._respond(route, params, request)
            response.headers[REQUEST_ID_HEADER.decode()] = request_id
            if session.accessed:
                response.headers.add_vary_header("Cookie")
            status = response.status_code
            await response(scope, receive, send)
        finally:
            log_request(scope, status, started, request_id)

    async def _respond(self, route: HotRoute, params: dict[str, str], request: Request) -> Response:
        try:
            if declared_too_large(request.scope, self.app.max_body_bytes):
                raise BodyTooLarge(self.app.max_body_bytes)
            return await route.endpoint(request, **params)
        except Exception as error:
            handler = self._handler_for(error)
            if handler is None:
                raise  # uvicorn answers 500 and logs it, as it would through the stack
            if inspect.iscoroutinefunction(handler):
                answer: Response = await handler(request, error)
            else:
                answer = await run_in_threadpool(handler, request, error)
            return answer

    def _handler_for(self, error: Exception) -> Callable[..., Any] | None:
        """The app's handler for the error, looked up as Starlette's exception middleware
        does: an HTTP error's status code first, then the error's classes in order."""
        handlers: dict[Any, Callable[..., Any]] = self.app.exception_handlers
        if isinstance(error, HTTPException) and error.status_code in handlers:
            return handlers[error.status_code]
        for cls in type(error).__mro__:
            if cls is Exception:  # the stack's server-error layer answers 500 and re-raises
                return None
            if cls in handlers:
                return handlers[cls]
        return None


def _has_cookie(scope: Scope) -> bool:
    return any(name == b"cookie" for name, _ in scope["headers"])
