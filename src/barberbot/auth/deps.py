"""Request dependencies for who is asking: the user behind an API token or a signed session."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from barberbot.auth import service as auth
from barberbot.core.db import Database
from barberbot.core.deps import SessionDep
from barberbot.core.http import header
from barberbot.models import User


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = (header(request.scope, b"authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _invalid_token() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "That API token is not valid.",
        headers={"WWW-Authenticate": "Bearer"},
    )


# Declared so that OpenAPI documents the bearer scheme on every endpoint that takes a user;
# the token itself is read by `_bearer_token`, the same way on every path.
_documented_bearer = HTTPBearer(
    auto_error=False,
    description="An API token (`barberbot token create`); a signed-in session works too.",
)


async def optional_user(
    request: Request,
    session: SessionDep,
    _: Annotated[HTTPAuthorizationCredentials | None, Security(_documented_bearer)] = None,
) -> User | None:
    """The user behind a bearer token or the signed-in session, if any."""
    token = _bearer_token(request)
    if token is not None:
        user = await run_in_threadpool(auth.user_for_token, session, token)
        if user is None:
            raise _invalid_token()
        return user
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None  # anonymous: no database work, no thread hop
    return await run_in_threadpool(session.get, User, user_id)


OptionalUser = Annotated[User | None, Depends(optional_user)]


async def signed_in_client(request: Request) -> bool:
    """Whether a valid API token or a signed session came with the request.

    For the public capture path, which only needs to know (to spare such clients the rate
    limit): no request session, and for anonymous visitors no database work at all.
    """
    token = _bearer_token(request)
    if token is None:
        return isinstance(request.session.get("user_id"), int)  # the cookie is signed
    db: Database = request.app.state.db
    if not await run_in_threadpool(_token_is_valid, db, token):
        raise _invalid_token()
    return True


def _token_is_valid(db: Database, token: str) -> bool:
    with db.sessions() as session:
        return auth.user_for_token(session, token) is not None


def current_user(user: OptionalUser) -> User:
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Sign in, or send an API token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[User, Depends(current_user)]
