"""A shop's inbox settings (acknowledgements) and its members' notification choices."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import InboxSettings, Membership, Notify, Role, Shop, User

DEFAULTS = {Role.OWNER.value: Notify.EACH, Role.STAFF.value: Notify.DIGEST}


def settings_of(session: Session, shop: Shop) -> InboxSettings:
    """The shop's row, made with the defaults if it has none: a shop created after the
    migration, whose every inquiry is new to the sender (all marks at its creation)."""
    found = session.get(InboxSettings, shop.id)
    if found is None:
        start = shop.created_at
        found = InboxSettings(
            shop_id=shop.id,
            acknowledge=True,
            answer_within_hours=4,
            acknowledge_since=start,
            scanned_at=start,
            scanned_id="",
            overdue_at=start,
            overdue_id="",
            digest_through=start.replace(minute=0, second=0, microsecond=0),
        )
        session.add(found)
        session.flush()
    return found


def choice_of(membership: Membership) -> Notify:
    if membership.notify is not None:
        return Notify(membership.notify)
    return DEFAULTS.get(membership.role, Notify.NONE)


def members(session: Session, shop: Shop) -> list[tuple[User, Notify]]:
    """The shop's members and how each hears of new inquiries."""
    rows = session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.shop_id == shop.id)
        .order_by(User.id)
    ).all()
    return [(user, choice_of(membership)) for user, membership in rows]
