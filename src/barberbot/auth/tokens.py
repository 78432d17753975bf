"""API tokens: made with an optional expiry, listed, revoked, and checked on every request."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import ApiToken, User

PREFIX = "bbt_"
USED_EVERY = timedelta(minutes=1)  # `last_used_at` is written at most once a minute
WHERE_TO_MAKE_ONE = "Make a new one under Account → API tokens."


class TokenRefused(Exception):
    """The token is unknown, revoked or expired; the message says which, for the client."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(
    session: Session, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token and its plain value, which is shown once and never stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=user.id, name=name.strip() or "API token", token_hash=token_hash(token),
        expires_at=expires_at,
    )  # fmt: skip
    session.add(record)
    session.flush()
    return record, token


def refusal(record: ApiToken | None, now: datetime) -> str | None:
    """Why the token may not be used, or None."""
    if record is None:
        return "That API token is not valid."
    if record.revoked_at is not None:
        return f"That API token ({record.name}) was revoked. {WHERE_TO_MAKE_ONE}"
    if record.expires_at is not None and record.expires_at <= now:
        day = record.expires_at.strftime("%-d %b %Y")
        return f"That API token ({record.name}) expired on {day}. {WHERE_TO_MAKE_ONE}"
    return None


def check(session: Session, token: str, now: datetime) -> User:
    """The token's user; its last use noted (to the minute). Raises TokenRefused."""
    record = session.scalars(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token))
    ).one_or_none()
    reason = refusal(record, now)
    if reason is not None:
        raise TokenRefused(reason)
    assert record is not None
    if record.last_used_at is None or now - record.last_used_at >= USED_EVERY:
        record.last_used_at = now
    return record.user


def of_user(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def every(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke(session: Session, record: ApiToken, now: datetime) -> None:
    if record.revoked_at is None:
        record.revoked_at = now
        session.flush()


def revoke_all(session: Session, user_id: int, now: datetime) -> None:
    """Every token of the user stops at once (a removed member)."""
    for record in session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ):
        record.revoked_at = now
    session.flush()
