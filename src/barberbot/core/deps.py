"""Request dependencies: the session the request commits, the settings, the signed-in user."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.inquiries.intake import Intake
from barberbot.models import Shop, User
from barberbot.shops import service as shops
from barberbot.shops.cache import ShopCache


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: committed when the handler returns, else rolled back.

    Creating a session does no I/O, so only the commit (or rollback) and the close go to
    the thread pool: every hop there costs a request about a millisecond.
    """
    db: Database = request.app.state.db
    session = db.sessions()
    try:
        yield session
    except BaseException:
        await _finish(_rollback_and_close, session)
        raise
    if not session.in_transaction():  # never touched the database: nothing to commit
        session.close()
        return
    await _finish(_commit_and_close, session)


async def _finish(end: Callable[[Session], None], session: Session) -> None:
    """Commit or roll back on threads of their own, shielded from cancellation.

    Own threads: when every pool thread is blocked waiting for a lock this transaction holds,
    the commit that releases it must not wait for one of them (it would until the lock
    timeout). Shielded: a client hanging up must not leave the transaction open.
    """
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(end, session, limiter=_finishing_limiter())


@functools.cache
def _finishing_limiter() -> anyio.CapacityLimiter:
    return anyio.CapacityLimiter(64)


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _rollback_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


# scope="function": commit before the response is sent, so a failed commit is never a 201.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]
IntakeDep = Annotated[Intake, Depends(get_intake)]


def unknown_shop(slug: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"Unknown shop {slug!r}.")


def get_public_shop(slug: str, session: SessionDep) -> Shop:
    shop = shops.by_slug(session, slug)
    if shop is None:
        raise unknown_shop(slug)
    return shop


PublicShop = Annotated[Shop, Depends(get_public_shop)]


async def get_cached_shop(slug: str, request: Request) -> Shop:
    """The shop from the app's short-lived cache: a read-only, detached row."""
    cache: ShopCache = request.app.state.shop_cache
    shop = await cache.get(slug)
    if shop is None:
        raise unknown_shop(slug)
    return shop


CachedShop = Annotated[Shop, Depends(get_cached_shop)]


def _bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
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


def get_member_shop(slug: str, user: CurrentUser, session: SessionDep) -> Shop:
    """A shop the user belongs to; any other shop, real or not, is 404 to them."""
    shop = shops.by_slug(session, slug)
    if shop is None or not auth.can_see(user, shop):
        raise unknown_shop(slug)
    return shop


MemberShop = Annotated[Shop, Depends(get_member_shop)]


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"
