"""Request dependencies every feature shares: the session the request commits, the settings.

Those that need a feature live with it: the signed-in user in `auth/deps.py`, the shop of
the path in `shops/deps.py`, the capture intake in `inquiries/deps.py`.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from barberbot.core.db import Database
from barberbot.core.settings import Settings


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


# scope="function": commit before the response is sent, so a failed commit is never a 201.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"
