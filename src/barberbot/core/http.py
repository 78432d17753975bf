"""Pure ASGI middleware: request body limit and one structured log line per request."""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import time
from collections.abc import Sequence

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("barberbot.http")
REQUEST_ID_HEADER = b"x-request-id"


class BodyTooLarge(HTTPException):
    """An HTTP error, so that FastAPI's body parsing passes it on instead of answering 400."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            413, f"The request body is larger than {max_bytes} bytes.", {"Connection": "close"}
        )


def declared_too_large(scope: Scope, max_bytes: int) -> bool:
    """The request says (Content-Length) that its body is over the limit."""
    for name, declared in reversed(scope["headers"]):  # the last one, as a dict of them
        if name == b"content-length":
            return declared.isdigit() and int(declared) > max_bytes
    return False


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a header (`name` in lower case), as `request.headers.get` gives it,
    without building the Headers object and the KeyError a missing header costs there."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def limited(receive: Receive, max_bytes: int) -> Receive:
    """`receive`, raising BodyTooLarge once more than `max_bytes` of body have come."""
    received = 0

    async def limited_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > max_bytes:
                raise BodyTooLarge(max_bytes)
        return message

    return limited_receive


class BodyLimitMiddleware:
    """Answers 413 for a request body over `max_bytes`, declared or streamed; `uploads`: paths
    (regular expressions) that take a larger body, each with its own limit."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, uploads: Sequence[tuple[str, int]] = ()
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.uploads = [(re.compile(path), most) for path, most in uploads]

    def _limit(self, path: str) -> int:
        for pattern, most in self.uploads:
            if pattern.fullmatch(path):
                return most
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self._limit(scope["path"]) if self.uploads else self.max_bytes
        if declared_too_large(scope, max_bytes):
            await self._reject(scope, receive, send, max_bytes)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited(receive, max_bytes), tracking_send)
        except BodyTooLarge:
            if not started:
                await self._reject(scope, receive, send, max_bytes)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        """The answer the app's HTTP error handler gives (`web/errors.py`): JSON `detail`."""
        refused = BodyTooLarge(max_bytes)
        response = JSONResponse({"detail": refused.detail}, 413, headers=refused.headers)
        await response(scope, receive, send)


_PROCESS = secrets.token_hex(4)  # this process's part of its request ids
_REQUESTS = itertools.count()


def new_request_id() -> str:
    """Unique across processes and restarts: 8 random hex digits a process, then a counter.
    (A uuid4 a request read 16 bytes from the kernel, a few µs on the capture path.)"""
    return f"{_PROCESS}{next(_REQUESTS):08x}"


def log_request(scope: Scope, status: int, started: float, request_id: str) -> None:
    """The one access-log line of a request (method, path, status, duration, request id)."""
    if log.isEnabledFor(logging.INFO):
        log.info(
            "request",
            extra={
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": request_id,
            },
        )


class RequestLogMiddleware:
    """Logs method, path, status and duration, with a request id echoed in a header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER, request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log_request(scope, status, started, request_id)
