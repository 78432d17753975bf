"""`barberbot user list|set-password|remove`, `token list|revoke`, `shop list`: access from a
terminal, for the first owner or when no one can sign in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from barberbot.auth import account, sessions, tokens
from barberbot.auth import service as auth
from barberbot.core.db import Database
from barberbot.core.logging import configure_logging
from barberbot.core.settings import Settings
from barberbot.models import ApiToken, Membership, Role, Shop, User
from barberbot.models.base import utcnow


@contextmanager
def _transaction() -> Iterator[Session]:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    db = Database.from_url(settings.resolved_database_url)
    try:
        with db.transaction() as session:
            yield session
    finally:
        db.engine.dispose()


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


def _user(session: Session, email: str) -> User:
    user = auth.by_email(session, email)
    if user is None:
        raise _fail(f"No user with the e-mail {email}.")
    return user


def _day(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else "-"


def user_list() -> None:
    """Every user: e-mail, name, and their shops with their role."""
    with _transaction() as session:
        for user in session.scalars(select(User).order_by(User.email)):
            shops = ", ".join(f"{m.shop.slug} ({m.role})" for m in user.memberships) or "-"
            typer.echo(f"{user.email}\t{user.name or '-'}\t{shops}")


def user_set_password(
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a user's password; every session of theirs ends (their API tokens keep working)."""
    with _transaction() as session:
        user = _user(session, email)
        try:
            account.set_password(session, user, password, field="password")
        except account.AccountInvalid as invalid:
            raise _fail(invalid.errors["password"]) from None
        ended = sessions.end_all(session, user.id)
    typer.echo(f"Password of {user.email} set; {ended} session(s) signed out.")


def user_remove(email: str) -> None:
    """Remove a user: their sessions and API tokens stop at once. A shop keeps an owner."""
    with _transaction() as session:
        user = _user(session, email)
        alone = [m.shop.slug for m in user.memberships if _sole_owner(session, m)]
        if alone:
            raise _fail(
                f"{user.email} is the only owner of {', '.join(alone)}: make someone else an "
                "owner first."
            )
        sessions.end_all(session, user.id)
        session.delete(user)  # its memberships, sessions, tokens and links go with it
    typer.echo(f"User {email} removed.")


def _sole_owner(session: Session, membership: Membership) -> bool:
    if membership.role != Role.OWNER:
        return False
    owners = session.scalar(
        select(func.count()).where(
            Membership.shop_id == membership.shop_id, Membership.role == Role.OWNER
        )
    )
    return owners == 1


def token_list(
    email: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None,
) -> None:
    """API tokens: id, user, name, made, last used, expiry and state (never the token)."""
    now = utcnow()
    with _transaction() as session:
        found = tokens.of_user(session, _user(session, email)) if email else tokens.every(session)
        for t in found:
            state = "revoked" if t.revoked_at else "active"
            if state == "active" and t.expires_at is not None and t.expires_at <= now:
                state = "expired"
            typer.echo(
                f"{t.id}\t{t.user.email}\t{t.name}\tmade {_day(t.created_at)}\t"
                f"used {_day(t.last_used_at)}\texpires {_day(t.expires_at)}\t{state}"
            )


def token_revoke(token_id: int) -> None:
    """Revoke an API token (its id from `token list`): it is refused from now on."""
    with _transaction() as session:
        record = session.get(ApiToken, token_id)
        if record is None:
            raise _fail(f"No API token with the id {token_id}.")
        tokens.revoke(session, record, utcnow())
        typer.echo(f"Token {token_id} ({record.name}, of {record.user.email}) revoked.")


def shop_list() -> None:
    """Every shop: slug, name, time zone, country and how many people may sign in to it."""
    with _transaction() as session:
        counted = select(Membership.shop_id, func.count()).group_by(Membership.shop_id)
        members: dict[int, int] = {shop_id: n for shop_id, n in session.execute(counted)}
        for shop in session.scalars(select(Shop).order_by(Shop.slug)):
            typer.echo(
                f"{shop.slug}\t{shop.name}\t{shop.timezone}\t{shop.country or '-'}\t"
                f"{members.get(shop.id, 0)} member(s)"
            )


def register(user_app: typer.Typer, token_app: typer.Typer, shop_app: typer.Typer) -> None:
    """Add these commands to the `barberbot` command's groups."""
    user_app.command("list")(user_list)
    user_app.command("set-password")(user_set_password)
    user_app.command("remove")(user_remove)
    token_app.command("list")(token_list)
    token_app.command("revoke")(token_revoke)
    shop_app.command("list")(shop_list)
