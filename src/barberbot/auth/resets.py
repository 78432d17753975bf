""" "Forgot password?": a single-use link, valid for an hour, that sets a new password."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.auth import account, attempts, sessions
from barberbot.models import PasswordReset, User

VALID_FOR = timedelta(hours=1)
AT_ONCE = 3  # open links per user at most: asking again and again sends no more e-mail


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(session: Session, user: User, now: datetime) -> str | None:
    """A new link's secret (for the e-mail only: the table keeps its hash); None when the
    user already has `AT_ONCE` open links."""
    open_links = session.scalar(
        select(func.count()).where(
            PasswordReset.user_id == user.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
    )
    if (open_links or 0) >= AT_ONCE:
        return None
    secret = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(id=_hash(secret), user_id=user.id, created_at=now, expires_at=now + VALID_FOR)
    )
    session.flush()
    return secret


def find(session: Session, secret: str, now: datetime) -> PasswordReset | None:
    """The link, if it is unused and not expired."""
    found = session.get(PasswordReset, _hash(secret))
    if found is None or found.used_at is not None or found.expires_at <= now:
        return None
    return found


def use(session: Session, reset: PasswordReset, new_password: str, now: datetime) -> User:
    """Set the new password, spend the link, end every session of the user, and lift a
    pause on signing in to the account.

    Raises AccountInvalid (nothing changed) for a password that will not do."""
    user = session.get(User, reset.user_id)
    assert user is not None  # the link goes with its user
    account.set_password(session, user, new_password, field="password")
    reset.used_at = now
    attempts.forget_account(session, user.email)  # the owner proved it is theirs
    sessions.end_all(session, user.id)
    return user
