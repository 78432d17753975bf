"""A route class that calls an endpoint directly when it declares nothing FastAPI must solve."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Protocol, cast

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.routing import APIRoute
from fastapi.routing import _effective_route_context_var as _inclusion  # see _as_included
from starlette.convertors import Convertor, PathConvertor, StringConvertor

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class RouteLike(Protocol):
    """An APIRoute, or FastAPI's view of one as included in an app (prefix, dependencies)."""

    @property
    def dependant(self) -> Dependant: ...
    @property
    def param_convertors(self) -> Mapping[str, Convertor[Any]]: ...


def direct_handler(route: RouteLike) -> Handler | None:
    """`endpoint(request, **path_params)` when that is all the endpoint declares, else None.

    Declared means what FastAPI would do for it: an `async def` taking the `Request` (or not)
    and plain `str` path parameters, returning a `Response`, on a route (and routers) without
    dependencies. Anything else — a query, header, cookie or body parameter, `Depends`,
    `Security`, `BackgroundTasks`, a `Response` parameter, a converted or constrained path
    parameter, a sync endpoint, a return value for the response model — needs FastAPI's
    handler, and gets None.
    """
    dependant = route.dependant
    endpoint = dependant.call
    if (
        endpoint is None
        or not inspect.iscoroutinefunction(endpoint)
        or dependant.query_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
        or dependant.dependencies
        or dependant.websocket_param_name
        or dependant.http_connection_param_name
        or dependant.response_param_name
        or dependant.background_tasks_param_name
        or dependant.security_scopes_param_name
        or not _returns_a_response(endpoint)
        or not all(_plain_path_parameter(route, field) for field in dependant.path_params)
    ):
        return None
    names = {field.name for field in dependant.path_params}
    if names != set(route.param_convertors):
        return None  # the path has parameters the endpoint does not take
    request_name = dependant.request_param_name
    first = next(iter(inspect.signature(endpoint).parameters), None) == request_name

    async def handler(request: Request) -> Response:
        response: Response
        if first:
            response = await endpoint(request, **request.path_params)
        elif request_name is None:
            response = await endpoint(**request.path_params)
        else:
            response = await endpoint(**request.path_params, **{request_name: request})
        return response

    return handler


def _returns_a_response(endpoint: Callable[..., Any]) -> bool:
    returns = get_typed_return_annotation(endpoint)
    return isinstance(returns, type) and issubclass(returns, Response)


def _plain_path_parameter(route: RouteLike, field: Any) -> bool:
    """A path parameter the router hands over as the very string FastAPI would validate."""
    info = field.field_info
    convertor = route.param_convertors.get(field.name)
    return (
        info.annotation is str
        and not info.metadata  # no length or pattern constraint
        and field.alias == field.name
        and type(convertor) in (StringConvertor, PathConvertor)
    )


class DirectRoute(APIRoute):
    """An endpoint that declares only the request and path parameters is called directly.

    FastAPI's handler solves dependencies, parses the query and body and validates the
    response: about 40 µs of CPU on every request, a fifth of what capturing an inquiry
    costs. An endpoint that needs none of it (`direct_handler`) is called as
    `endpoint(request, **path_params)` and reads and validates what it needs itself; its
    signature and the route's arguments still document the operation in OpenAPI.

    Any other declaration works as on any APIRoute — the route then gets FastAPI's full
    handling, and is no longer fast (tests/core/test_hotpath_declared.py checks both).
    """

    def get_route_handler(self) -> Handler:
        return direct_handler(_as_included(self)) or super().get_route_handler()


def _as_included(route: APIRoute) -> RouteLike:
    """The route as the app includes it: FastAPI builds a handler per inclusion, with the
    including routers' prefix and dependencies, and says which inclusion in a private
    context variable that `APIRoute.get_route_handler` reads the same way. (A FastAPI that
    changes it fails tests/core/test_hotpath_declared.py, which includes a router with a
    dependency.)"""
    included = _inclusion.get()
    if included is not None and included.original_route is route:
        return cast(RouteLike, included)
    return route
