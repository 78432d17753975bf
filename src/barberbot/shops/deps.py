"""Request dependencies for the shop named in the path: any shop, or one of the user's."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status

from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.core.deps import SessionDep
from barberbot.models import Role, Shop
from barberbot.shops import service as shops


def unknown_shop(slug: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"Unknown shop {slug!r}.")


def get_public_shop(slug: str, session: SessionDep) -> Shop:
    shop = shops.by_slug(session, slug)
    if shop is None:
        raise unknown_shop(slug)
    return shop


PublicShop = Annotated[Shop, Depends(get_public_shop)]


def get_member_shop(slug: str, user: CurrentUser, session: SessionDep) -> Shop:
    """A shop the user belongs to; any other shop, real or not, is 404 to them."""
    shop = shops.by_slug(session, slug)
    if shop is None or not auth.can_see(user, shop):
        raise unknown_shop(slug)
    return shop


MemberShop = Annotated[Shop, Depends(get_member_shop)]


def get_owned_shop(shop: MemberShop, user: CurrentUser) -> Shop:
    """A shop the user owns; a member who is not an owner gets 403, anyone else 404."""
    if auth.role_in(user, shop) != Role.OWNER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only the shop's owners can do this.")
    return shop


OwnedShop = Annotated[Shop, Depends(get_owned_shop)]
