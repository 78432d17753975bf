"""One inquiry's page: everything the customer said, their history, the timeline, and the
forms to work it (status, assignee, an internal note, a reply). Every change goes through the
inbox's services; each form posts, then redirects back (or shows its errors beside the field,
with what was typed, on a 422)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.campaigns.templates import SUBJECT_MAX
from barberbot.core.choices import Gender, InquiryStatus
from barberbot.core.deps import SessionDep
from barberbot.core.security_headers import NO_FRAMING
from barberbot.forms import service as forms
from barberbot.forms.answers import labelled
from barberbot.forms.deps import AnswerStoreDep
from barberbot.forms.store import AnswerStore, AnswersUnavailable
from barberbot.inbox import (
    history,
    labels,
    notes,
    overdue,
    people,
    replies,
    saved_replies,
    transitions,
)
from barberbot.inbox import timeline as timelines
from barberbot.inquiries import service as inquiries
from barberbot.inquiries.rules import InquiryInvalid
from barberbot.models import Channel, EventKind, Inquiry, Shop, User
from barberbot.models.base import utcnow
from barberbot.shops.deps import MemberShop
from barberbot.web.csrf import check_csrf, csrf_token
from barberbot.web.templating import templates

router = APIRouter(include_in_schema=False)
PAGE = "/shops/{slug}/inquiries/{inquiry_id}"
ME, NOBODY = "me", ""
NO_CONTACT = "This customer left no e-mail or phone, so there is nothing to reply to."
DONE = {
    "status": "Status changed.",
    "assigned": "Assignment saved.",
    "note": "Note added.",
    "reply": "Reply queued: BarberBot sends it in a moment, and the timeline shows when it went.",
}


def _inquiry(session: Session, shop: Shop, inquiry_id: str) -> Inquiry:
    """The shop's inquiry; any other id, well-formed or not, is 404 as if it did not exist."""
    try:
        found = inquiries.get(session, shop, uuid.UUID(inquiry_id))
    except ValueError:
        found = None
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such inquiry in this shop.")
    return found


def _answers(session: Session, store: AnswerStore, shop: Shop, inquiry: Inquiry) -> Any:
    """(label, answer) pairs of the custom questions; None when the store cannot be read."""
    try:
        document = store.read(session, [inquiry.id]).get(inquiry.id)
    except AnswersUnavailable:
        return None
    return [] if document is None else labelled(forms.current(session, shop), document.answers)


def _mentioned(entries: list[timelines.Entry], inquiry: Inquiry) -> list[int | None]:
    """Everyone the page names: who did what, who was given it, who has it."""
    ids: list[int | None] = [inquiry.assignee_id]
    for entry in entries:
        ids.append(entry.actor_id)
        if entry.event is not None and entry.kind == EventKind.ASSIGNED:
            values = (entry.event.from_value, entry.event.to_value)
            ids += [int(value) for value in values if value and value.isdigit()]
    return ids


def _render(
    request: Request,
    session: Session,
    store: AnswerStore,
    user: User,
    shop: Shop,
    inquiry: Inquiry,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    zone = ZoneInfo(shop.timezone)
    entries = timelines.of(session, inquiry)
    members = people.members(session, [shop.id])
    names = people.names(session, _mentioned(entries, inquiry))
    channel = replies.channel_for(inquiry)
    saved = [
        (reply, saved_replies.render(shop, reply, inquiry))
        for reply in saved_replies.of(session, shop)
    ]
    current = inquiry.status
    if current == "closed" and inquiry.outcome:
        current = f"closed:{inquiry.outcome}"
    values = {
        "status": current,
        "assignee": ME if inquiry.assignee_id == user.id else str(inquiry.assignee_id or ""),
        "note": "",
        "body": "",
        "subject": "",
        "saved_reply": "",
    } | (form or {})
    context = {
        "user": user,
        "my_shops": auth.shops_of(user),
        "csrf": csrf_token(request),
        "shop": shop,
        "inquiry": inquiry,
        "answers": _answers(session, store, shop, inquiry),
        "others": history.other_inquiries(session, inquiry),
        "campaigns": history.campaigns_sent(session, inquiry),
        "timeline": entries,
        "names": names,
        "members": members,
        "channel": channel,
        "channel_label": labels.channel(channel) if channel else "",
        "no_contact": NO_CONTACT,
        "saved": saved,
        "status_choices": [
            (value, label)
            for value, label in labels.CHOICES
            if value != InquiryStatus.NEW or inquiry.status == InquiryStatus.NEW
        ],
        "values": values,
        "errors": errors or {},
        "done": DONE.get(request.query_params.get("done", ""), ""),
        "overdue": overdue.is_overdue(inquiry, shop, utcnow()),
        "due": overdue.due_at(inquiry.received_at, shop),
        "subject_max": SUBJECT_MAX,
        "default_subject": f"Your message to {shop.name}",
        "labels": labels,
        "type_label": shop.type_labels().get(inquiry.inquiry_type, inquiry.inquiry_type),
        "gender_label": _gender(inquiry.gender),
        "local": lambda at: at.astimezone(zone).strftime("%a %-d %b %Y, %H:%M") if at else "",
        "is_email": channel == Channel.EMAIL,
    }
    code = status.HTTP_422_UNPROCESSABLE_CONTENT if errors else status.HTTP_200_OK
    return templates.TemplateResponse(
        request, "inquiry.html", context, status_code=code, headers=NO_FRAMING
    )


def _refused(
    request: Request,
    session: Session,
    store: AnswerStore,
    user: User,
    shop: Shop,
    inquiry: Inquiry,
    form: dict[str, str],
    invalid: InquiryInvalid,
) -> HTMLResponse:
    """The page again with what was typed and a message beside each field (422); the
    services refuse before changing anything, so there is nothing to undo."""
    return _render(request, session, store, user, shop, inquiry, form=form, errors=invalid.errors)


def _row_id(text: str) -> int:
    """A posted id, 0 (no row has it) when it is not one."""
    return int(text) if text.isdigit() and len(text) <= 9 else 0


def _gender(value: str) -> str:
    try:
        return Gender(value).label
    except ValueError:
        return value


def _back(shop: Shop, inquiry: Inquiry, done: str, anchor: str) -> RedirectResponse:
    url = f"/shops/{shop.slug}/inquiries/{inquiry.id}?{urlencode({'done': done})}#{anchor}"
    return RedirectResponse(url, status.HTTP_303_SEE_OTHER)


@router.get(PAGE, response_class=HTMLResponse, name="inquiry_page")
def inquiry_page(
    request: Request,
    inquiry_id: str,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    store: AnswerStoreDep,
) -> Response:
    inquiry = _inquiry(session, shop, inquiry_id)
    return _render(request, session, store, user, shop, inquiry)


@router.post(PAGE + "/status", name="inquiry_status")
def change_status(
    request: Request,
    inquiry_id: str,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    store: AnswerStoreDep,
    choice: Annotated[str, Form(alias="status")] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """`status` is a status, or `closed:<outcome>` (closing says how it ended)."""
    check_csrf(request, csrf)
    inquiry = _inquiry(session, shop, inquiry_id)
    new_status, _, outcome = choice.partition(":")
    if not new_status:
        errors = {"status": "Choose a status."}
        return _render(request, session, store, user, shop, inquiry, errors=errors)
    try:  # refused whole, before anything changes
        transitions.change(session, shop, inquiry, user, status=new_status, outcome=outcome or None)
    except InquiryInvalid as invalid:
        return _refused(request, session, store, user, shop, inquiry, {"status": choice}, invalid)
    return _back(shop, inquiry, "status", "work")


@router.post(PAGE + "/assign", name="inquiry_assign")
def assign(
    request: Request,
    inquiry_id: str,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    store: AnswerStoreDep,
    assignee: Annotated[str, Form()] = NOBODY,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """`assignee` is `me`, a member's user id, or empty for nobody."""
    check_csrf(request, csrf)
    inquiry = _inquiry(session, shop, inquiry_id)
    form = {"assignee": assignee}
    try:
        target = user.id if assignee == ME else None if assignee == NOBODY else _row_id(assignee)
        if target == 0:
            raise InquiryInvalid({"assignee": "Choose someone from the list."})
        transitions.change(session, shop, inquiry, user, assignee=target)
    except InquiryInvalid as invalid:
        return _refused(request, session, store, user, shop, inquiry, form, invalid)
    return _back(shop, inquiry, "assigned", "work")


@router.post(PAGE + "/notes", name="inquiry_note")
def add_note(
    request: Request,
    inquiry_id: str,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    store: AnswerStoreDep,
    body: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    inquiry = _inquiry(session, shop, inquiry_id)
    try:
        notes.add(session, inquiry, user, body)
    except InquiryInvalid as invalid:  # its `body` is the note's box on this page
        named = InquiryInvalid({"note": " ".join(invalid.errors.values())})
        return _refused(request, session, store, user, shop, inquiry, {"note": body}, named)
    return _back(shop, inquiry, "note", "timeline-end")


@router.post(PAGE + "/replies", name="inquiry_reply")
def reply(
    request: Request,
    inquiry_id: str,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    store: AnswerStoreDep,
    body: Annotated[str, Form()] = "",
    subject: Annotated[str, Form()] = "",
    saved_reply: Annotated[str, Form()] = "",
    fill: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Queue the reply as written; with `fill` (the saved reply picker's button, without
    JavaScript) only put the chosen saved reply, filled in for this customer, in the box."""
    check_csrf(request, csrf)
    inquiry = _inquiry(session, shop, inquiry_id)
    form = {"body": body, "subject": subject, "saved_reply": saved_reply}
    if fill:
        chosen = saved_replies.get(session, shop, _row_id(saved_reply))
        if chosen is None:
            refused = InquiryInvalid({"saved_reply": "Choose one of your saved replies."})
            return _refused(request, session, store, user, shop, inquiry, form, refused)
        form["body"] = saved_replies.render(shop, chosen, inquiry)
        return _render(request, session, store, user, shop, inquiry, form=form)
    try:
        replies.queue(session, shop, inquiry, user, body=body, subject=subject or None)
    except InquiryInvalid as invalid:
        return _refused(request, session, store, user, shop, inquiry, form, invalid)
    return _back(shop, inquiry, "reply", "timeline-end")
