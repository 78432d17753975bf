"""The saved replies page (`/shops/{shop}/saved-replies`): the shop's saved replies, a form to
add one, and each one's own pages to change it or, after a confirmation, delete it. Every form
posts, then redirects back (or shows its errors beside the field, with what was typed, 422)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from barberbot.auth.deps import CurrentUser
from barberbot.core.deps import SessionDep
from barberbot.inbox import saved_replies
from barberbot.inquiries.rules import InquiryInvalid
from barberbot.models import SavedReply, Shop, User
from barberbot.shops.deps import MemberShop
from barberbot.web.csrf import check_csrf
from barberbot.web.inbox import snippet
from barberbot.web.templating import shop_page

router = APIRouter(include_in_schema=False)
PAGE = "/shops/{slug}/saved-replies"
ONE = PAGE + "/{reply_id}"
DONE = {
    "added": "Saved reply added: it is in the list on every inquiry's page.",
    "changed": "Changes saved.",
    "deleted": "Saved reply deleted.",
}


def _saved(session: Session, shop: Shop, reply_id: str) -> SavedReply:
    """The shop's saved reply; any other id, well-formed or not, is 404 as if it did not exist."""
    number = int(reply_id) if reply_id.isdigit() and len(reply_id) <= 9 else 0
    found = saved_replies.get(session, shop, number)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such saved reply in this shop.")
    return found


def _render(
    request: Request,
    session: Session,
    user: User,
    shop: Shop,
    *,
    editing: SavedReply | None = None,
    deleting: SavedReply | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    """The list with the form to add one; or one saved reply's form, or its confirmation."""
    shown = editing or deleting
    values = {"name": shown.name if shown else "", "body": shown.body if shown else ""}
    return shop_page(
        request,
        "saved_replies.html",
        user,
        shop,
        errors,
        saved=saved_replies.of(session, shop) if shown is None else [],
        editing=editing,
        deleting=deleting,
        fields=saved_replies.FIELD_HELP,
        values=values | (form or {}),
        done=DONE.get(request.query_params.get("done", ""), ""),
        snippet=snippet,
    )


def _back(shop: Shop, done: str) -> RedirectResponse:
    return RedirectResponse(f"/shops/{shop.slug}/saved-replies?done={done}", 303)


@router.get(PAGE, response_class=HTMLResponse, name="saved_replies_page")
def saved_replies_page(
    request: Request, shop: MemberShop, user: CurrentUser, session: SessionDep
) -> Response:
    return _render(request, session, user, shop)


@router.post(PAGE, name="saved_reply_add")
def add(
    request: Request,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    name: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:  # refused whole, before anything is written
        saved_replies.create(session, shop, name, body)
    except InquiryInvalid as invalid:
        form = {"name": name, "body": body}
        return _render(request, session, user, shop, form=form, errors=invalid.errors)
    return _back(shop, "added")


@router.get(ONE, response_class=HTMLResponse, name="saved_reply_page")
def saved_reply_page(
    request: Request, reply_id: str, shop: MemberShop, user: CurrentUser, session: SessionDep
) -> Response:
    editing = _saved(session, shop, reply_id)
    return _render(request, session, user, shop, editing=editing)


@router.post(ONE, name="saved_reply_change")
def change(
    request: Request,
    reply_id: str,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    name: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    editing = _saved(session, shop, reply_id)
    try:
        saved_replies.update(session, editing, name, body)
    except InquiryInvalid as invalid:  # checked before the row is touched
        form = {"name": name, "body": body}
        return _render(
            request, session, user, shop, editing=editing, form=form, errors=invalid.errors
        )
    return _back(shop, "changed")


@router.get(ONE + "/delete", response_class=HTMLResponse, name="saved_reply_confirm")
def confirm_delete(
    request: Request, reply_id: str, shop: MemberShop, user: CurrentUser, session: SessionDep
) -> Response:
    """Asks first: a page of its own, so it needs no JavaScript."""
    deleting = _saved(session, shop, reply_id)
    return _render(request, session, user, shop, deleting=deleting)


@router.post(ONE + "/delete", name="saved_reply_delete")
def delete(
    request: Request,
    reply_id: str,
    shop: MemberShop,
    session: SessionDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    saved_replies.delete(session, _saved(session, shop, reply_id))
    return _back(shop, "deleted")
