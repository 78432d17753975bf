"""Request dependencies: the session the request commits, the settings, the signed-in user."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.inquiries.intake import Intake
from barberbot.models import Shop, User
from barberbot.shops import service as shops


def get_session(request: Request) -> Iterator[Session]:
    """The request's unit of work: committed when the handler returns, else rolled back."""
    db: Database = request.app.state.db
    with db.sessions() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# scope="function": commit before the response is sent, so a failed commit is never a 201.
def get_intake(request: Request) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


IntakeDep = Annotated[Intake, Depends(get_intake)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def unknown_shop(slug: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"Unknown shop {slug!r}.")


def get_public_shop(slug: str, session: SessionDep) -> Shop:
    shop = shops.by_slug(session, slug)
    if shop is None:
        raise unknown_shop(slug)
    return shop


PublicShop = Annotated[Shop, Depends(get_public_shop)]


def optional_user(request: Request, session: SessionDep) -> User | None:
    """The user behind a bearer token or the signed-in session, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user = auth.user_for_token(session, token.strip())
        if user is None:
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "That API token is not valid.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        return user
    user_id = request.session.get("user_id")
    return session.get(User, user_id) if isinstance(user_id, int) else None


OptionalUser = Annotated[User | None, Depends(optional_user)]


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
