"""The brute-force limit on signing in, counted in the database so every replica shares it.

After `LIMIT` failed attempts for one account, or from one client, within `WINDOW`, further
attempts are refused until the oldest of those failures is older than the window. Two
replicas counting at the same moment may let an attempt or two more through: the limit is
there to make guessing slow, and stays far below what guessing needs.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from barberbot.models import SignInFailure, User

LIMIT = 10
WINDOW = timedelta(minutes=15)


def _client(client: str) -> str:
    return client[:64]


def retry_after(session: Session, email: str, client: str, now: datetime) -> int | None:
    """Seconds until another attempt is allowed, or None: it may be tried now."""
    waits = [
        _wait(session, SignInFailure.email == email, now),
        _wait(session, SignInFailure.client == _client(client), now),
    ]
    blocked = [wait for wait in waits if wait is not None]
    return max(blocked) if blocked else None


def _wait(session: Session, which: ColumnElement[bool], now: datetime) -> int | None:
    # the LIMIT-th newest failure in the window: once it is out of the window, one is allowed
    times = session.scalars(
        select(SignInFailure.at)
        .where(which, SignInFailure.at > now - WINDOW)
        .order_by(SignInFailure.at.desc())
        .limit(LIMIT)
    ).all()
    if len(times) < LIMIT:
        return None
    return max(1, math.ceil((times[-1] + WINDOW - now).total_seconds()))


def record_failure(
    session: Session, email: str, client: str, now: datetime, user: User | None
) -> bool:
    """Note a failed attempt; True when the account just reached the limit and its owner
    has not been told of it in this window (the caller sends the one e-mail)."""
    old = SignInFailure.at <= now - WINDOW  # counted no more: this account's and client's go
    session.execute(delete(SignInFailure).where(old, SignInFailure.email == email))
    session.execute(delete(SignInFailure).where(old, SignInFailure.client == _client(client)))
    session.add(SignInFailure(email=email, client=_client(client), at=now))
    session.flush()
    if user is None or _wait(session, SignInFailure.email == email, now) is None:
        return False
    if user.locked_notice_at is not None and user.locked_notice_at > now - WINDOW:
        return False
    user.locked_notice_at = now
    return True


def forget_account(session: Session, email: str) -> None:
    """The account's failures no longer count (a new password was set through the e-mail)."""
    session.execute(delete(SignInFailure).where(SignInFailure.email == email))
