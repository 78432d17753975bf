"""Signed-in sessions kept in the database, so signing out (anywhere) ends them for real.

The browser's cookie carries a random session id; the table keeps only its SHA-256, so a
copy of the table signs no one in. Every API replica reads the same table.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from barberbot.models import User, UserSession

LIFETIME = timedelta(days=14)
SEEN_EVERY = timedelta(minutes=1)  # how stale `last_seen_at` may get: one write a minute at most
COOKIE_KEY = "sid"  # the key of the session id in the signed cookie's data


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(session: Session, user: User, now: datetime) -> str:
    """A new session for the user; returns the id for the cookie (stored only hashed)."""
    session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )  # the user's own expired ones go here, so the table does not grow for ever
    session_id = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id=_hash(session_id),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + LIFETIME,
        )
    )
    session.flush()
    return session_id


def find(session: Session, session_id: str, now: datetime) -> UserSession | None:
    """The live session behind a cookie's id: one primary-key lookup."""
    found = session.get(UserSession, _hash(session_id))
    return found if found is not None and found.expires_at > now else None


def user_of(session: Session, session_id: str, now: datetime) -> User | None:
    """The signed-in user, with the session's last-seen time kept (at most once a minute)."""
    found = find(session, session_id, now)
    if found is None:
        return None
    if now - found.last_seen_at >= SEEN_EVERY:
        found.last_seen_at = now
    return session.get(User, found.user_id)


def end(session: Session, session_id: str) -> None:
    session.execute(delete(UserSession).where(UserSession.id == _hash(session_id)))


def end_all(session: Session, user_id: int, keep: str | None = None) -> int:
    """End every session of the user (but `keep`, a cookie's session id); returns how many."""
    statement = delete(UserSession).where(UserSession.user_id == user_id)
    if keep is not None:
        statement = statement.where(UserSession.id != _hash(keep))
    ended: int = session.execute(statement).rowcount  # type: ignore[attr-defined]
    return ended


def of_user(session: Session, user_id: int, now: datetime) -> list[UserSession]:
    """The user's live sessions, the most recently seen first."""
    return list(
        session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.expires_at > now)
            .order_by(UserSession.last_seen_at.desc())
        )
    )
