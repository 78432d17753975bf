"""Which shops an analysis covers: one shop, or every shop a user may see.

Several shops are read as the dashboard's "all shops" view reads them: the first shop's (by
name) timezone for days, weeks and hours, and every shop's inquiry types, the first shop's
label where two shops name one key differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.models import Shop
from barberbot.shops import service as shops


class ScopeUnknown(LookupError):
    """No such shop, no such user, or a user without shops; the message says which."""


@dataclass(frozen=True)
class Scope:
    name: str  # for titles: the shop's name, or whose shops
    shops: list[Shop]

    @property
    def note(self) -> str:
        """Which shops, and whose time, when there are several."""
        if len(self.shops) == 1:
            return ""
        names = ", ".join(shop.name for shop in self.shops)
        return f"Shops: {names}. Times in {self.zone.key}."

    @property
    def shop_ids(self) -> tuple[int, ...]:
        return tuple(shop.id for shop in self.shops)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.shops[0].timezone)

    @property
    def type_labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for shop in self.shops:
            labels |= {k: v for k, v in shop.type_labels().items() if k not in labels}
        return labels


def shop_scope(session: Session, slug: str) -> Scope:
    found = shops.by_slug(session, slug)
    if found is None:
        raise ScopeUnknown(f"Unknown shop {slug!r}.")
    return Scope(found.name, [found])


def owner_scope(session: Session, email: str) -> Scope:
    """Every shop the user is a member of (owner or staff), as on their dashboard."""
    user = auth.by_email(session, email)
    if user is None:
        raise ScopeUnknown(f"Unknown user {email!r}.")
    mine = auth.shops_of(user)
    if not mine:
        raise ScopeUnknown(f"{user.email} may see no shops.")
    return Scope(f"All shops of {user.name or user.email}", mine)
