"""Hot routes: the few endpoints hit in bulk, answered with less of the stack.

Every request through the app passes the whole stack: FastAPI's server-error layer, Dash's
middleware, the request log, the body limit, the session cookie, the dashboard guard,
FastAPI's exception middleware and the router. Capturing an inquiry is the one route
customers' browsers and shop integrations call in bulk, and several of those layers have
nothing to do for it (docs/benchmarks.md). So a request for a hot route (`answer_first`)
goes through the same stack — the same middleware instances, in the same order — except:

- each middleware declared not to apply to it (`skip_on_hot_path`: when, and why), or its
  declared stand-in where it must still leave something behind (the session middleware's
  empty session). A middleware nobody declared runs, whoever added it and whenever;
- FastAPI's exception middleware and router: a route that calls its endpoint directly
  (`core/routing.py`) is called here, and an error goes to the app's own exception handlers,
  looked up as the exception middleware looks them up. Any other route is routed as usual.

A request to a hot route for which a declaration does not hold (one with a cookie, for the
session middleware) takes the whole stack. tests/core/test_hotpath.py sends every outcome
hot, with a cookie, and with the hot path switched off, and compares the answers;
tests/core/test_hotpath_declared.py checks that every middleware either runs on the hot path
or is declared, and that whatever a hot route declares works on it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.convertors import StringConvertor
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from barberbot.core.hotlayers import (
    HOT,
    HotEndpoints,
    HotMatch,
    HotRoute,
    Skippable,
    StandIn,
)
from barberbot.core.routing import DirectRoute, RouteLike, direct_handler

When = Callable[[Scope], bool]


@dataclass(frozen=True)
class Skip:
    """`middleware` has nothing to do for a hot request of which `when` holds, for `reason`;
    `stand_in` (if any) does the little it would still do."""

    middleware: type
    reason: str
    when: When
    stand_in: StandIn | None = None


class HotPathApp(FastAPI):
    """FastAPI whose hot routes skip the middleware declared not to apply to them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hot_endpoints: list[tuple[str, Callable[..., Any]]] = []
        self.hot_path_skips: dict[type, Skip] = {}

    def answer_first(self, method: str, endpoint: Callable[..., Any]) -> None:
        """Take `method` requests to `endpoint`'s route (wherever the app includes it) on the
        hot path."""
        self.hot_endpoints.append((method, endpoint))

    def skip_on_hot_path(
        self, middleware: type, *, reason: str, when: When, stand_in: StandIn | None = None
    ) -> None:
        """Declare that `middleware` has nothing to do for hot requests of which `when` holds."""
        if not reason.strip():
            raise ValueError(f"say why {middleware.__name__} does not apply to hot requests")
        self.hot_path_skips[middleware] = Skip(middleware, reason, when, stand_in)

    def build_middleware_stack(self) -> ASGIApp:
        routes = [self._hot_route(method, endpoint) for method, endpoint in self.hot_endpoints]
        present: set[Any] = {middleware.cls for middleware in self.user_middleware}
        for declared in self.hot_path_skips:
            if declared not in present:
                raise RuntimeError(f"{declared.__name__} is declared skippable but not in the app")
        handlers = {
            key: handler
            for key, handler in self.exception_handlers.items()
            if key not in (500, Exception)  # FastAPI gives those to its server-error layer
        }
        # FastAPI builds its stack from `user_middleware`: the same list, with the declared
        # middleware made skippable and the hot endpoints innermost, above its exception
        # middleware and router.
        user_middleware = self.user_middleware
        self.user_middleware = [
            *(self._skippable(middleware) for middleware in user_middleware),
            Middleware(HotEndpoints, handlers=handlers),
        ]
        try:
            stack = super().build_middleware_stack()
        finally:
            self.user_middleware = user_middleware
        whens = dict.fromkeys(skip.when for skip in self.hot_path_skips.values())  # once each
        return HotPaths(stack, routes, list(whens))

    def _skippable(self, middleware: Middleware) -> Middleware:
        skip = self.hot_path_skips.get(cast(type, middleware.cls))
        if skip is None:
            return middleware
        return Middleware(Skippable, middleware=middleware, stand_in=skip.stand_in)

    def _hot_route(self, method: str, endpoint: Callable[..., Any]) -> HotRoute:
        found = [
            context
            for context in iter_route_contexts(self.routes)
            if context.endpoint is endpoint and method in (context.methods or ())
        ]
        if len(found) != 1:
            raise RuntimeError(f"{endpoint.__name__} is not routed once for {method}")
        route = found[0]
        call = None
        if isinstance(route.original_route, DirectRoute):
            call = direct_handler(cast(RouteLike, route))
        convertors = route.param_convertors
        return HotRoute(
            method,
            route.path_regex,
            convertors,
            route.original_route,
            endpoint,
            call,
            strings=all(type(c) is StringConvertor for c in convertors.values()),
        )


class HotPaths:
    """The outermost layer: marks a hot request (a hot route's method and path, and every
    declaration holding) for the layers below."""

    def __init__(self, stack: ASGIApp, routes: Sequence[HotRoute], whens: Sequence[When]):
        self.stack = stack
        self.routes = routes
        self.whens = whens

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]:
        if scope["type"] == "http":
            match = self.match(scope)
            if match is not None:
                scope[HOT] = match
        return self.stack(scope, receive, send)  # its awaitable: no coroutine of our own

    def match(self, scope: Scope) -> HotMatch | None:
        if scope.get("root_path"):
            return None  # the router would match the path without it: left to the router
        path = scope["path"]
        for route in self.routes:
            if scope["method"] != route.method:
                continue
            found = route.path.match(path)  # the route's own anchored pattern
            if found is None:
                continue
            for when in self.whens:
                if not when(scope):
                    return None
            params = found.groupdict()
            if not route.strings:
                params = {name: route.convertors[name].convert(v) for name, v in params.items()}
            return HotMatch(route, path, params)
        return None
