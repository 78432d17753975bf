"""Request dependencies for who is asking: the user behind an API token or a signed-in session.

The session cookie (signed) carries only a random session id; who it belongs to, and whether
it still holds, is the `user_sessions` table's (auth/sessions.py), so signing out ends it on
every replica.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from barberbot.auth import sessions, tokens
from barberbot.core.db import Database
from barberbot.core.deps import SessionDep
from barberbot.core.http import header
from barberbot.models import User
from barberbot.models.base import utcnow


def clock(request: Request) -> datetime:
    """Now, by the app's clock (`app.state.clock`: tests set their own)."""
    now: Callable[[], datetime] = getattr(request.app.state, "clock", utcnow)
    return now()


Now = Annotated[datetime, Depends(clock)]


def session_id(request: Request) -> str | None:
    """The session id the request's cookie carries, if any."""
    value = request.session.get(sessions.COOKIE_KEY)
    return value if isinstance(value, str) else None


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = (header(request.scope, b"authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _refused(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"}
    )


# Declared so that OpenAPI documents the bearer scheme on every endpoint that takes a user;
# the token itself is read by `_bearer_token`, the same way on every path.
_documented_bearer = HTTPBearer(
    auto_error=False,
    description="An API token (Account → API tokens, or `barberbot token create`); a "
    "signed-in session works too.",
)


async def optional_user(
    request: Request,
    session: SessionDep,
    now: Now,
    _: Annotated[HTTPAuthorizationCredentials | None, Security(_documented_bearer)] = None,
) -> User | None:
    """The user behind a bearer token or the signed-in session, if any."""
    token = _bearer_token(request)
    if token is not None:
        try:
            return await run_in_threadpool(tokens.check, session, token, now)
        except tokens.TokenRefused as refused:
            raise _refused(str(refused)) from None
    signed = session_id(request)
    if signed is None:
        return None  # anonymous: no database work, no thread hop
    return await run_in_threadpool(sessions.user_of, session, signed, now)


OptionalUser = Annotated[User | None, Depends(optional_user)]


async def signed_in_client(request: Request) -> bool:
    """Whether a valid API token or a live session came with the request.

    For the public capture path, which only needs to know (to spare such clients the rate
    limit): no request session; for anonymous visitors no database work at all, for a
    session cookie one primary-key lookup. An ended session is simply anonymous here.
    """
    token = _bearer_token(request)
    signed = session_id(request) if token is None else None
    if token is None and signed is None:
        return False
    db: Database = request.app.state.db
    now = clock(request)
    if token is None:
        assert signed is not None
        return await run_in_threadpool(_session_is_live, db, signed, now)
    reason = await run_in_threadpool(_token_refusal, db, token, now)
    if reason is not None:
        raise _refused(reason)
    return True


def _session_is_live(db: Database, signed: str, now: datetime) -> bool:
    with db.sessions() as session:
        return sessions.find(session, signed, now) is not None


def _token_refusal(db: Database, token: str, now: datetime) -> str | None:
    with db.transaction() as session:  # commits the last use, when it was noted
        try:
            tokens.check(session, token, now)
        except tokens.TokenRefused as refused:
            return str(refused)
    return None


def current_user(user: OptionalUser) -> User:
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Sign in, or send an API token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[User, Depends(current_user)]
