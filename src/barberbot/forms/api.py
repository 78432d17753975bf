"""The REST API for a shop's form: read it (members), replace it (owners)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, HTTPException, Request, status
from fastapi.responses import JSONResponse, Response

from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.core.deps import SessionDep
from barberbot.core.errors import invalid_response
from barberbot.forms import service
from barberbot.forms.definition import FormDefinition
from barberbot.forms.schemas import FormRead, FormUpdate
from barberbot.forms.store import AnswersUnavailable
from barberbot.models import Role
from barberbot.shops.deps import MemberShop

router = APIRouter(prefix="/api/v1/shops/{slug}/form", tags=["forms"])


def form_read(form: FormDefinition) -> FormRead:
    return FormRead(version=form.version, created_at=form.created_at, fields=list(form.fields))


@router.get("", response_model=FormRead, summary="Read the shop's current form")
def read_form(shop: MemberShop, session: SessionDep) -> FormRead:
    return form_read(service.current(session, shop))


@router.put(
    "",
    response_model=FormRead,
    summary="Replace the shop's form: a new version (owners)",
    description="Send every question in order. A question left out is retired: no longer "
    "asked, its earlier answers kept. A question's key keeps its type for good.",
    responses={422: {"description": "Invalid fields, with a message for each"}},
)
def replace_form(
    update: FormUpdate, request: Request, shop: MemberShop, user: CurrentUser, session: SessionDep
) -> FormRead:
    if auth.role_in(user, shop) != Role.OWNER:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only the shop's owners can edit its form.")
    form = service.save(session, shop, update, by=user)
    request.app.state.shop_cache.forget(shop.slug)
    return form_read(form)


async def _on_form_invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, service.FormInvalid)
    return invalid_response(exc.errors)


async def _on_answers_unavailable(request: Request, exc: Exception) -> Response:
    return JSONResponse(
        {"detail": str(exc)},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": "5"},
    )


def install_form_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(service.FormInvalid, _on_form_invalid)
    app.add_exception_handler(AnswersUnavailable, _on_answers_unavailable)
