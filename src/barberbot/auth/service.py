"""Users, their shops and their API tokens."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.auth import tokens
from barberbot.auth.passwords import (
    DUMMY_HASH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    verify_password,
)
from barberbot.models import Membership, Role, Shop, User
from barberbot.models.base import utcnow


class UserInvalid(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_email(email))).one_or_none()


def create_user(session: Session, *, email: str, password: str, name: str = "") -> User:
    email = normalise_email(email)
    if "@" not in email:
        raise UserInvalid("Give the user's e-mail address.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserInvalid(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if by_email(session, email) is not None:
        raise UserInvalid(f"A user with the e-mail {email} already exists.")
    user = User(email=email, name=name, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def grant(session: Session, user: User, shop: Shop, role: Role = Role.OWNER) -> None:
    """Let a user see a shop (idempotent)."""
    if session.get(Membership, (user.id, shop.id)) is None:
        session.add(Membership(user_id=user.id, shop_id=shop.id, role=role.value))
        session.flush()
        session.refresh(user)


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = by_email(session, email)
    if user is None:
        verify_password(DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


def role_in(user: User, shop: Shop) -> Role | None:
    """The user's role in the shop, or None if they may not see it."""
    for membership in user.memberships:
        if membership.shop_id == shop.id:
            return Role(membership.role)
    return None


def can_see(user: User, shop: Shop) -> bool:
    return role_in(user, shop) is not None


def shops_of(user: User) -> list[Shop]:
    return sorted((m.shop for m in user.memberships), key=lambda s: s.name)


def create_token(session: Session, user: User, name: str) -> str:
    """A new bearer token; the plain value is returned once and never stored."""
    return tokens.create(session, user, name)[1]


def user_for_token(session: Session, token: str) -> User | None:
    """The token's user, if it may be used now (not revoked, not expired)."""
    try:
        return tokens.check(session, token, utcnow())
    except tokens.TokenRefused:
        return None
