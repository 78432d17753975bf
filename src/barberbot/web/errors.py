"""The app's error handlers: one error shape for the API, readable pages for browsers."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from barberbot.core.errors import invalid_response
from barberbot.inquiries.rules import InquiryInvalid, field_errors
from barberbot.web.templating import templates

PAGE_HEADINGS = {
    403: "Not allowed",
    404: "Not found",
    413: "Too much to send",
    429: "Too many requests",
}


def _is_api(request: Request) -> bool:
    """Answered in JSON: the API, and the webhooks machines call."""
    return request.url.path.startswith(("/api/", "/webhooks/"))


async def _on_invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, InquiryInvalid)
    return invalid_response(exc.errors)


async def _on_request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return invalid_response(field_errors(exc.errors()))


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = getattr(exc, "headers", None)
    if _is_api(request) or request.url.path in ("/healthz", "/readyz"):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
    if exc.status_code == status.HTTP_401_UNAUTHORIZED:
        return RedirectResponse(_sign_in_then_back(request), status.HTTP_303_SEE_OTHER)
    return templates.TemplateResponse(
        request,
        "message.html",
        {"heading": PAGE_HEADINGS.get(exc.status_code, "Something went wrong"), "text": exc.detail},
        status_code=exc.status_code,
        headers=headers,
    )


def _sign_in_then_back(request: Request) -> str:
    """The sign-in page, then back to the page asked for (a GET: a form's POST cannot be
    replayed)."""
    if request.method != "GET":
        return "/login"
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?" + urlencode({"next": path})


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(InquiryInvalid, _on_invalid)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
