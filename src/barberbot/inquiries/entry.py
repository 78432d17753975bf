"""What the two public capture endpoints (the API and the web form) share before the
pipeline: the shop and its form from the app's cache, and the capture rate limit (the intake is
`deps.intake_of`)."""

from __future__ import annotations

from fastapi import HTTPException, Request, status

from barberbot.auth.deps import signed_in_client
from barberbot.core.deps import client_key
from barberbot.core.ratelimit import retry_after_header
from barberbot.forms.shop_cache import ShopWithForm
from barberbot.shops.deps import unknown_shop


class TooManySubmissions(HTTPException):
    def __init__(self, wait: float) -> None:
        super().__init__(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "Too many submissions from this client; try again shortly.",
            headers=retry_after_header(wait),
        )
        self.wait = wait


async def shop_with_form(request: Request, slug: str) -> ShopWithForm:
    """The shop and its current form (detached, read-only, cached a few seconds); 404."""
    found = await request.app.state.shop_cache.get_with_form(slug)
    if found is None:
        raise unknown_shop(slug)
    shop_and_form: ShopWithForm = found
    return shop_and_form


async def check_rate(request: Request) -> None:
    """Count the submission against its client's limit; signed-in clients (the desktop app,
    integrations, the shop's own people) are not throttled."""
    if await signed_in_client(request):
        return
    wait = request.app.state.rate_limiter.hit(client_key(request))
    if wait:
        raise TooManySubmissions(wait)
