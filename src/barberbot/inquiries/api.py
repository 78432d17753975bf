"""The REST API for inquiries: capture, list, read, forget, export."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.requests import ClientDisconnect

from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.core.deps import SessionDep
from barberbot.core.http import header
from barberbot.core.openapi import json_body
from barberbot.core.routing import DirectRoute
from barberbot.forms import service as forms
from barberbot.forms.deps import AnswerStoreDep
from barberbot.forms.store import AnswerDocument, AnswerStore
from barberbot.inquiries import export, service, sync
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.deps import IntakeDep, intake_of
from barberbot.inquiries.entry import check_rate, shop_with_form
from barberbot.inquiries.filters import InquiryFilters
from barberbot.inquiries.rules import InquiryCreate, InquiryInvalid, validate_inquiry
from barberbot.inquiries.schemas import (
    InquiryPage,
    InquiryRead,
    InvalidCursor,
    decode_cursor,
    encode_cursor,
)
from barberbot.inquiries.sync import SyncBatch, SyncReport
from barberbot.inquiries.writer import IdempotencyConflict
from barberbot.models import Role, Shop, Source
from barberbot.shops import inquiry_types
from barberbot.shops.deps import MemberShop

router = APIRouter(prefix="/api/v1/shops/{slug}/inquiries", tags=["inquiries"])

IDEMPOTENCY_KEY_MAX = 255
IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Retrying with the same key returns the first result instead of a copy.",
    "schema": {"type": "string", "maxLength": IDEMPOTENCY_KEY_MAX},
}
_IDEMPOTENCY_KEY_HEADER = IDEMPOTENCY_KEY_PARAMETER["name"].lower().encode()


class Queued(BaseModel):
    """Accepted and queued for the central store (when Kafka is configured)."""

    id: uuid.UUID
    status: str = "queued"


async def create_inquiry(request: Request, slug: str) -> Response:
    # The hot path, so a DirectRoute: FastAPI's body parsing and dependencies would
    # cost more than everything else here together. It validates on the event loop, hands
    # the capture to the intake (the group commit), opens no session, and answers once the
    # inquiry is committed (or durably queued).
    shop, form = await shop_with_form(request, slug)
    await check_rate(request)
    idempotency_key = _idempotency_key(request)
    data = validate_inquiry(
        await _body(request), inquiry_types.offered(shop), form, country=shop.country
    )
    capture = prepare(
        shop, data, source=Source.API, form_version=form.version, idempotency_key=idempotency_key
    )
    try:
        accepted = await intake_of(request).submit(shop, capture)
    except IdempotencyConflict:
        raise HTTPException(status.HTTP_409_CONFLICT, _KEY_REUSED) from None
    headers = {"Location": f"{request.scope['path']}/{accepted.id}"}
    if accepted.replayed:
        headers["Idempotent-Replayed"] = "true"
    if accepted.stored is None:
        body = Queued(id=accepted.id).model_dump(mode="json")
        return _json(body, status.HTTP_202_ACCEPTED, headers)
    read = InquiryRead.model_validate(accepted.stored).model_dump(mode="json")
    if form.version and not accepted.replayed:
        read |= {"answers": capture.data.answers, "form_version": form.version}
    return _json(read, status.HTTP_201_CREATED, headers)


_KEY_REUSED = "This Idempotency-Key was already used for a different inquiry."


router.add_api_route(
    "",
    create_inquiry,
    methods=["POST"],
    route_class_override=DirectRoute,
    status_code=status.HTTP_201_CREATED,
    response_model=InquiryRead,
    summary="Capture an inquiry",
    openapi_extra=json_body(InquiryCreate) | {"parameters": [IDEMPOTENCY_KEY_PARAMETER]},
    responses={
        202: {"model": Queued, "description": "Accepted and queued (Kafka configured)"},
        409: {"description": "Idempotency-Key reused for another inquiry"},
        413: {"description": "The body is over the size limit"},
        422: {"description": "Invalid fields (custom answers as answers.<key>), a message each"},
        429: {"description": "Too many submissions from this client"},
        503: {"description": "The answer store (MongoDB) is unreachable; nothing was stored"},
    },
)


async def _body(request: Request) -> bytes:
    try:
        return await request.body()
    except ClientDisconnect:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "The client hung up mid-body.") from None


def _idempotency_key(request: Request) -> str | None:
    key = header(request.scope, _IDEMPOTENCY_KEY_HEADER)
    if key is not None and len(key) > IDEMPOTENCY_KEY_MAX:
        raise InquiryInvalid(
            {IDEMPOTENCY_KEY_PARAMETER["name"]: f"At most {IDEMPOTENCY_KEY_MAX} characters."}
        )
    return key or None


def _json(body: dict[str, Any], status_code: int, headers: dict[str, str]) -> Response:
    return Response(orjson.dumps(body), status_code, headers, media_type="application/json")


@router.post(
    "/sync",
    response_model=SyncReport,
    summary="Upload inquiries captured offline, each under its own id (the desktop app)",
    responses={503: {"description": "A concurrent upload of the same inquiry; send again"}},
)
def sync_inquiries(
    batch: SyncBatch, shop: MemberShop, session: SessionDep, intake: IntakeDep
) -> SyncReport:
    try:
        report = sync.accept_batch(session, shop, intake, batch.inquiries)
        session.commit()
    except IntegrityError:
        session.rollback()  # the same inquiry raced in from another upload: nothing kept
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "Another upload of the same inquiries is in progress; send again.",
            headers={"Retry-After": "1"},
        ) from None
    return report


@router.get(
    "",
    response_model=InquiryPage,
    summary="List inquiries, newest first (by status, assignee, search and the filters below)",
)
def list_inquiries(
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    answers: AnswerStoreDep,
    filters: Annotated[InquiryFilters, Query()],
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> InquiryPage:
    try:
        after = decode_cursor(cursor) if cursor else None
    except InvalidCursor as error:
        raise InquiryInvalid({"cursor": str(error)}) from None
    rows = service.page(session, shop, filters, limit=limit, after=after, me=user.id)
    items, more = rows[:limit], len(rows) > limit
    documents = answers.read(session, [i.id for i in items])  # one read for the page
    return InquiryPage(
        items=[_with_answers(InquiryRead.model_validate(i), documents.get(i.id)) for i in items],
        next_cursor=encode_cursor(items[-1]) if more else None,
    )


def _with_answers(read: InquiryRead, document: AnswerDocument | None) -> InquiryRead:
    """The inquiry with its custom answers and their form version, when it has any."""
    if document is None:
        return read
    return read.model_copy(
        update={"answers": document.answers, "form_version": document.form_version}
    )


def _attachment(shop_slug: str, extension: str) -> dict[str, str]:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    return {
        "Content-Disposition": f'attachment; filename="{shop_slug}-inquiries-{stamp}.{extension}"'
    }


def _export_frame(
    shop: Shop, session: Session, answers: AnswerStore, filters: InquiryFilters, me: int
) -> pd.DataFrame:
    rows = service.all_matching(session, shop, filters, me=me)
    documents = answers.read(session, [row.id for row in rows])
    return export.to_frame(shop, rows, forms.current(session, shop), documents)


@router.get("/export.csv", summary="Export inquiries as CSV", response_class=Response)
def export_csv(
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    answers: AnswerStoreDep,
    filters: Annotated[InquiryFilters, Query()],
) -> Response:
    frame = _export_frame(shop, session, answers, filters, user.id)
    return Response(
        export.to_csv(frame),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(shop.slug, "csv"),
    )


@router.get(
    "/export.xlsx", summary="Export inquiries as an Excel workbook", response_class=Response
)
def export_xlsx(
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    answers: AnswerStoreDep,
    filters: Annotated[InquiryFilters, Query()],
) -> Response:
    frame = _export_frame(shop, session, answers, filters, user.id)
    return Response(
        export.to_xlsx(frame, title=shop.name),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=_attachment(shop.slug, "xlsx"),
    )


@router.get("/{inquiry_id}", response_model=InquiryRead, summary="Read one inquiry")
def read_inquiry(
    inquiry_id: uuid.UUID, shop: MemberShop, session: SessionDep, answers: AnswerStoreDep
) -> InquiryRead:
    inquiry = service.get(session, shop, inquiry_id)
    if inquiry is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such inquiry in this shop.")
    document = answers.read(session, [inquiry.id]).get(inquiry.id)
    return _with_answers(InquiryRead.model_validate(inquiry), document)


@router.delete(
    "/{inquiry_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Forget an inquiry (the customer asked to be forgotten)",
)
def delete_inquiry(
    inquiry_id: uuid.UUID,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    answers: AnswerStoreDep,
) -> Response:
    if auth.role_in(user, shop) != Role.OWNER:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Only the shop's owners can delete inquiries."
        )
    if not service.forget(session, shop, inquiry_id, answers):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such inquiry in this shop.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
