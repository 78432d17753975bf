"""The one place an inquiry's status, outcome and assignee change, each change with its event.

The rules: `closed` needs an outcome, and only `closed` has one; nothing goes back to `new`
once it has left it; an assignee must be a member of the shop, and assigning a `new`
inquiry opens it. Any other move is allowed. Bad input is refused whole, before anything
changes, with a message per field. Flushes only: the caller commits.
"""

from __future__ import annotations

import enum

from sqlalchemy.orm import Session

from barberbot.core.choices import listed
from barberbot.inbox import events
from barberbot.inquiries.rules import InquiryInvalid
from barberbot.models import EventKind, Inquiry, InquiryStatus, Membership, Outcome, Shop, User

STATUSES = frozenset(status.value for status in InquiryStatus)
OUTCOMES = frozenset(outcome.value for outcome in Outcome)


class Keep(enum.Enum):
    """The assignee left as it is (None would mean nobody)."""

    KEEP = "keep"


KEEP = Keep.KEEP


def change(
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    actor: User | None,
    *,
    status: str | None = None,
    outcome: str | None = None,
    assignee: int | Keep | None = KEEP,
) -> None:
    """Apply what was asked (None: the status or outcome as they are), or refuse it all."""
    target = _target(session, shop, inquiry, status, outcome, assignee)
    if isinstance(assignee, int) and target == InquiryStatus.NEW:
        target = InquiryStatus.OPEN  # someone is on it now
    final_outcome = _outcome(inquiry, target, outcome)
    if not isinstance(assignee, Keep):
        assign(session, inquiry, actor, assignee)
    move(session, inquiry, actor, target, final_outcome)
    session.flush()


def _outcome(inquiry: Inquiry, target: str, outcome: str | None) -> str | None:
    """The outcome the inquiry will have: the one given, or kept while it stays closed."""
    if target != InquiryStatus.CLOSED:
        if outcome is not None:
            raise InquiryInvalid(
                {
                    "outcome": "Only a closed inquiry has an outcome: set the status to closed "
                    "as well, or leave the outcome out."
                }
            )
        return None
    kept = inquiry.outcome if inquiry.status == InquiryStatus.CLOSED else None
    if (outcome or kept) is None:
        raise InquiryInvalid(
            {"outcome": f"Say how it ended to close an inquiry: {listed(Outcome)}."}
        )
    return outcome or kept


def _target(
    session: Session,
    shop: Shop,
    inquiry: Inquiry,
    status: str | None,
    outcome: str | None,
    assignee: int | Keep | None,
) -> str:
    """The status asked for (the current one if none), once every field is known to be valid."""
    errors: dict[str, str] = {}
    if status is not None and status not in STATUSES:
        errors["status"] = f"Unknown status {status!r}; choose from {listed(InquiryStatus)}."
    elif status == InquiryStatus.NEW and inquiry.status != InquiryStatus.NEW:
        errors["status"] = (
            "An inquiry cannot go back to new once someone has opened it; "
            "choose open or waiting instead."
        )
    if outcome is not None and outcome not in OUTCOMES:
        errors["outcome"] = f"Unknown outcome {outcome!r}; choose from {listed(Outcome)}."
    if isinstance(assignee, int) and not is_member(session, shop, assignee):
        errors["assignee"] = "This person is not a member of this shop; assign one who is."
    if errors:
        raise InquiryInvalid(errors)
    return status or inquiry.status


def is_member(session: Session, shop: Shop, user_id: int) -> bool:
    return session.get(Membership, (user_id, shop.id)) is not None


def assign(session: Session, inquiry: Inquiry, actor: User | None, assignee: int | None) -> None:
    """Give the inquiry to a member (checked by the caller), or to nobody."""
    if assignee == inquiry.assignee_id:
        return
    events.record(
        session,
        inquiry,
        actor,
        EventKind.ASSIGNED,
        from_value=_user_value(inquiry.assignee_id),
        to_value=_user_value(assignee),
    )
    inquiry.assignee_id = assignee


def move(
    session: Session,
    inquiry: Inquiry,
    actor: User | None,
    status: str,
    outcome: str | None = None,
) -> None:
    """Set a valid status (and the outcome, for closed), with its event if anything changed;
    leaving closed forgets the outcome."""
    if status == inquiry.status and outcome == inquiry.outcome:
        return
    events.record(
        session,
        inquiry,
        actor,
        EventKind.STATUS,
        from_value=inquiry.status,
        to_value=status,
        detail=outcome,
    )
    inquiry.status = status
    inquiry.outcome = outcome


def _user_value(user_id: int | None) -> str | None:
    return None if user_id is None else str(user_id)
