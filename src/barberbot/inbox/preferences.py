"""A shop's inbox settings (acknowledgements) and its members' notification choices."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from barberbot.models import InboxSettings, Membership, Notify, Role, Shop, User
from barberbot.models.base import utcnow

DEFAULTS = {Role.OWNER.value: Notify.EACH, Role.STAFF.value: Notify.DIGEST}


def settings_of(session: Session, shop: Shop) -> InboxSettings:
    """The shop's row, made with the defaults if it has none (a shop created after the
    migration, whose every inquiry is new to the sender: all marks at its creation)."""
    found = session.get(InboxSettings, shop.id)
    if found is None:
        found = _defaults(shop)
        session.add(found)
        session.flush()
    return found


def current(session: Session, shop: Shop) -> InboxSettings:
    """The shop's settings to show: its row, or the defaults it would get (nothing written)."""
    return session.get(InboxSettings, shop.id) or _defaults(shop)


def _defaults(shop: Shop) -> InboxSettings:
    start = shop.created_at
    return InboxSettings(
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


def acknowledge(session: Session, shop: Shop, on: bool, answer_within_hours: int) -> None:
    """Turn the shop's acknowledgement on or off; turned on, only inquiries from now on get
    one (none for those that came while it was off)."""
    found = settings_of(session, shop)
    if on and not found.acknowledge:
        found.acknowledge_since = utcnow()
    found.acknowledge = on
    found.answer_within_hours = answer_within_hours
    session.flush()


def membership_of(session: Session, shop: Shop, user: User) -> Membership:
    """A member's own membership (the caller has checked they are one: `MemberShop`)."""
    found = session.scalar(
        select(Membership).where(Membership.shop_id == shop.id, Membership.user_id == user.id)
    )
    assert found is not None, "not a member of the shop"
    return found
