"""Headers every answer carries (unless it sets its own): browsers must not guess a content
type (`nosniff`), links out tell nothing of the page (`Referrer-Policy`), answers holding
personal data are never cached (`no-store`: the API, owner pages, exports), and the dashboard
is never shown inside another site's frame. Static files and the form's cached assets keep
their caching."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHEABLE_PREFIXES = ("/static/", "/dashboard/_dash-component-suites/", "/dashboard/assets/")
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
NO_FRAMING = {"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = headers_for(scope["path"])

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in added.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)


def headers_for(path: str) -> dict[str, str]:
    """The headers an answer to `path` gets, where it does not set them itself."""
    added = dict(ALWAYS)
    if not path.startswith(CACHEABLE_PREFIXES):
        added["Cache-Control"] = "no-store"
    if path == "/dashboard" or path.startswith("/dashboard/"):
        added |= NO_FRAMING
    return added
