"""Who an inquiry can be given to (a shop's members) and what the pages call them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import Membership, User


def display_name(user: User) -> str:
    return user.name or user.email


def members(session: Session, shop_ids: Sequence[int]) -> list[User]:
    """The members of these shops, each once, by what the pages call them."""
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.shop_id.in_(shop_ids))
        .distinct()
    )
    return sorted(session.scalars(query), key=lambda user: display_name(user).casefold())


def names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """user id -> name, for the ids given (people since removed are still named)."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    found = session.scalars(select(User).where(User.id.in_(wanted)))
    return {user.id: display_name(user) for user in found}
