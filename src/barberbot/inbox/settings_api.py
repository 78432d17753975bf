"""The inbox's settings in the API: the shop's acknowledgement (its owners change it) and how
each member hears of new inquiries (their own choice)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.core.deps import SessionDep
from barberbot.inbox import preferences
from barberbot.inbox.schemas import InboxSettingsRead, InboxSettingsUpdate, NotifyChoice
from barberbot.models import Role
from barberbot.shops.deps import MemberShop

router = APIRouter(prefix="/api/v1/shops/{slug}/inbox-settings", tags=["inbox"])


@router.get("", response_model=InboxSettingsRead, summary="The shop's acknowledgement")
def read_settings(shop: MemberShop, session: SessionDep) -> InboxSettingsRead:
    found = preferences.current(session, shop)
    return InboxSettingsRead(
        acknowledge=found.acknowledge, answer_within_hours=found.answer_within_hours
    )


@router.put("", response_model=InboxSettingsRead, summary="Turn the acknowledgement on or off")
def update_settings(
    data: InboxSettingsUpdate, shop: MemberShop, user: CurrentUser, session: SessionDep
) -> InboxSettingsRead:
    if auth.role_in(user, shop) != Role.OWNER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only the shop's owners can do this.")
    preferences.acknowledge(session, shop, data.acknowledge, data.answer_within_hours)
    return InboxSettingsRead.model_validate(data.model_dump())


@router.get("/me", response_model=NotifyChoice, summary="How I hear of new inquiries")
def read_choice(shop: MemberShop, user: CurrentUser, session: SessionDep) -> NotifyChoice:
    return NotifyChoice(
        notify=preferences.choice_of(preferences.membership_of(session, shop, user))
    )


@router.put("/me", response_model=NotifyChoice, summary="Choose how I hear of new inquiries")
def update_choice(
    data: NotifyChoice, shop: MemberShop, user: CurrentUser, session: SessionDep
) -> NotifyChoice:
    preferences.membership_of(session, shop, user).notify = data.notify.value
    session.flush()
    return data
