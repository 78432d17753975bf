"""The inbox's REST API: an inquiry's status, assignee, notes, replies and timeline, and a
shop's saved replies. Owners and staff alike; another shop's ids answer 404."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, status
from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.core.deps import SessionDep
from barberbot.forms.deps import AnswerStoreDep
from barberbot.inbox import counts, events, notes, replies, saved_replies, transitions
from barberbot.inbox.schemas import (
    EventRead,
    InboxUpdates,
    InquiryUpdate,
    NoteCreate,
    NoteRead,
    ReplyCreate,
    ReplyRead,
    SavedReplyCreate,
    SavedReplyRead,
    SavedReplyUpdate,
)
from barberbot.inquiries import service as inquiries
from barberbot.inquiries.schemas import InquiryRead
from barberbot.models import Inquiry, SavedReply, Shop
from barberbot.models.base import INT_MAX
from barberbot.shops.deps import MemberShop

router = APIRouter(prefix="/api/v1/shops/{slug}", tags=["inbox"])
updates_router = APIRouter(prefix="/api/v1/inbox", tags=["inbox"])

INVALID: dict[int | str, dict[str, Any]] = {422: {"description": "Invalid fields, a message each"}}
NOT_FOUND = "No such inquiry in this shop."


def get_inquiry(inquiry_id: uuid.UUID, shop: MemberShop, session: SessionDep) -> Inquiry:
    """The path's inquiry, if it is the path's shop's (else 404, as if it did not exist)."""
    found = inquiries.get(session, shop, inquiry_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return found


ShopInquiry = Annotated[Inquiry, Depends(get_inquiry)]
INQUIRY = "/inquiries/{inquiry_id}"


@router.patch(
    INQUIRY,
    response_model=InquiryRead,
    summary="Change an inquiry's status, outcome or assignee",
    responses=INVALID,
)
def update_inquiry(
    data: InquiryUpdate,
    inquiry: ShopInquiry,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    answers: AnswerStoreDep,
) -> InquiryRead:
    assignee = data.assignee if "assignee" in data.model_fields_set else transitions.KEEP
    transitions.change(
        session, shop, inquiry, user, status=data.status, outcome=data.outcome, assignee=assignee
    )
    read = InquiryRead.model_validate(inquiry)
    document = answers.read(session, [inquiry.id]).get(inquiry.id)
    if document is None:
        return read
    return read.model_copy(
        update={"answers": document.answers, "form_version": document.form_version}
    )


@router.get(f"{INQUIRY}/events", response_model=list[EventRead], summary="An inquiry's timeline")
def list_events(inquiry: ShopInquiry, session: SessionDep) -> list[EventRead]:
    return [EventRead.model_validate(event) for event in events.of(session, inquiry)]


@router.get(f"{INQUIRY}/notes", response_model=list[NoteRead], summary="An inquiry's notes")
def list_notes(inquiry: ShopInquiry, session: SessionDep) -> list[NoteRead]:
    return [NoteRead.model_validate(note) for note in notes.of(session, inquiry)]


@router.post(
    f"{INQUIRY}/notes",
    response_model=NoteRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add an internal note (the customer never sees it)",
    responses=INVALID,
)
def add_note(
    data: NoteCreate, inquiry: ShopInquiry, user: CurrentUser, session: SessionDep
) -> NoteRead:
    return NoteRead.model_validate(notes.add(session, inquiry, user, data.body))


@router.get(f"{INQUIRY}/replies", response_model=list[ReplyRead], summary="An inquiry's replies")
def list_replies(inquiry: ShopInquiry, session: SessionDep) -> list[ReplyRead]:
    return [ReplyRead.model_validate(reply) for reply in replies.of(session, inquiry)]


@router.post(
    f"{INQUIRY}/replies",
    response_model=ReplyRead,
    status_code=status.HTTP_201_CREATED,
    summary="Reply to the customer (queued; the inquiry then waits on them)",
    description="By e-mail when the inquiry has one, else by SMS to its phone. The reply is "
    "queued and sent by BarberBot's sender; its status says when it went out or why not.",
    responses=INVALID,
)
def add_reply(
    data: ReplyCreate,
    inquiry: ShopInquiry,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
) -> ReplyRead:
    reply = replies.queue(
        session,
        shop,
        inquiry,
        user,
        body=data.body,
        subject=data.subject,
        saved_reply_id=data.saved_reply_id,
    )
    return ReplyRead.model_validate(reply)


SAVED = "/saved-replies"
SavedId = Annotated[int, Path(ge=1, le=INT_MAX)]


def _saved(session: Session, shop: Shop, reply_id: int) -> SavedReply:
    found = saved_replies.get(session, shop, reply_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such saved reply in this shop.")
    return found


@router.get(SAVED, response_model=list[SavedReplyRead], summary="The shop's saved replies")
def list_saved_replies(shop: MemberShop, session: SessionDep) -> list[SavedReplyRead]:
    return [SavedReplyRead.model_validate(reply) for reply in saved_replies.of(session, shop)]


@router.post(
    SAVED,
    response_model=SavedReplyRead,
    status_code=status.HTTP_201_CREATED,
    summary="Save a reply to use again",
    responses=INVALID,
)
def create_saved_reply(
    data: SavedReplyCreate, shop: MemberShop, session: SessionDep
) -> SavedReplyRead:
    reply = saved_replies.create(session, shop, data.name, data.body)
    return SavedReplyRead.model_validate(reply)


@router.put(
    f"{SAVED}/{{reply_id}}",
    response_model=SavedReplyRead,
    summary="Replace a saved reply",
    responses=INVALID,
)
def update_saved_reply(
    reply_id: SavedId, data: SavedReplyUpdate, shop: MemberShop, session: SessionDep
) -> SavedReplyRead:
    reply = saved_replies.update(session, _saved(session, shop, reply_id), data.name, data.body)
    return SavedReplyRead.model_validate(reply)


@router.delete(
    f"{SAVED}/{{reply_id}}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a saved reply (replies sent with it stay as they were)",
)
def delete_saved_reply(reply_id: SavedId, shop: MemberShop, session: SessionDep) -> Response:
    saved_replies.delete(session, _saved(session, shop, reply_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@updates_router.get(
    "/updates",
    response_model=InboxUpdates,
    summary="Your unread and overdue inquiries, and what arrived since one you have seen",
    description="The counts are across all your shops; `newest` and `arrived` are of `shop` "
    "when it is given (one of yours), else of all your shops. The owner pages poll this.",
)
def inbox_updates(
    user: CurrentUser,
    session: SessionDep,
    shop: Annotated[str | None, Query(max_length=64, description="A shop's slug")] = None,
    since: Annotated[uuid.UUID | None, Query(description="The newest inquiry you have")] = None,
) -> InboxUpdates:
    mine = auth.shops_of(user)
    scope = [each for each in mine if each.slug == shop] if shop else mine
    if shop and not scope:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Unknown shop {shop!r}.")
    found = counts.counts(session, mine)
    newest = counts.newest(session, scope)
    return InboxUpdates(
        unread=found.unread,
        overdue=found.overdue,
        newest=newest.id if newest is not None else None,
        arrived=counts.arrived_after(session, scope, since) if since else 0,
    )
