"""What every signed-in user changes of their own account: their name and password."""

from __future__ import annotations

from sqlalchemy.orm import Session

from barberbot.auth import sessions
from barberbot.auth.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from barberbot.models import User

NAME_LENGTH = 120


class AccountInvalid(ValueError):
    """Refused, with a message per form field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def rename(session: Session, user: User, name: str) -> None:
    name = " ".join(name.split())
    if len(name) > NAME_LENGTH:
        raise AccountInvalid({"name": f"Keep the name under {NAME_LENGTH} characters."})
    user.name = name
    session.flush()


def set_password(session: Session, user: User, password: str, *, field: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountInvalid({field: f"Use at least {MIN_PASSWORD_LENGTH} characters."})
    user.password_hash = hash_password(password)
    session.flush()


def change_password(session: Session, user: User, current: str, new: str, keep: str | None) -> int:
    """With the current password; every other session ends (`keep`: this browser's id).
    Returns how many sessions ended."""
    if not verify_password(user.password_hash, current):
        raise AccountInvalid({"current_password": "That is not your current password."})
    set_password(session, user, new, field="new_password")
    return sessions.end_all(session, user.id, keep=keep)
