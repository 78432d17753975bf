"""The public inquiry form a shop links to or embeds on its own website."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from barberbot.campaigns.attribution import record_link, tracked
from barberbot.core.deps import SessionDep
from barberbot.core.ratelimit import retry_after_header
from barberbot.forms import service as forms
from barberbot.forms.answers import ANSWERS
from barberbot.forms.definition import FormDefinition
from barberbot.forms.schemas import FieldType
from barberbot.forms.store import AnswersUnavailable
from barberbot.inquiries.capture import prepare
from barberbot.inquiries.deps import intake_of
from barberbot.inquiries.entry import TooManySubmissions, check_rate, shop_with_form
from barberbot.inquiries.rules import InquiryInvalid, validate_inquiry
from barberbot.models import Gender, Shop, Source
from barberbot.shops import inquiry_types, logo
from barberbot.shops.deps import PublicShop
from barberbot.web.brand import brand_css
from barberbot.web.templating import templates

router = APIRouter(tags=["web form"], include_in_schema=False)


class InquiryFormData(BaseModel):
    """The form's fields exactly as typed; the rules module judges them."""

    customer_name: str = ""
    age: str = ""
    gender: str = ""
    inquiry_type: str = ""
    phone: str = ""
    email: str = ""
    message: str = ""
    marketing_consent: str = ""
    location: str = ""
    website: str = Field(default="", description="Honeypot: people never see it, bots fill it.")


# Public pages may be framed by any site (the embed); owner pages may not.
FRAMEABLE = {"Content-Security-Policy": "frame-ancestors *"}


def _query(embed: bool, location: str | None) -> str:
    params = {k: v for k, v in (("embed", "1" if embed else ""), ("location", location)) if v}
    return f"?{urlencode(params)}" if params else ""


_ANSWER_PREFIX = ANSWERS + "."


async def posted_answers(request: Request) -> dict[str, list[str]]:
    """Every `answers.<key>` input of the post, with all its values (checkboxes repeat)."""
    posted = await request.form()
    return {
        name.removeprefix(_ANSWER_PREFIX): [v for v in posted.getlist(name) if isinstance(v, str)]
        for name in posted
        if name.startswith(_ANSWER_PREFIX)
    }


PostedAnswers = Annotated[dict[str, list[str]], Depends(posted_answers)]


def _raw_answers(form: FormDefinition, posted: dict[str, list[str]]) -> dict[str, Any]:
    """The answers as the rules take them: a list for multiple choice, else the text."""
    multiple = {f.key for f in form.fields if f.type == FieldType.MULTIPLE_CHOICE}
    return {
        key: values if key in multiple else (values[-1] if values else "")
        for key, values in posted.items()
    }


def _render_form(
    request: Request,
    shop: Shop,
    form: FormDefinition,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    embed: bool,
    status_code: int = status.HTTP_200_OK,
    answers: dict[str, Any] | None = None,
) -> HTMLResponse:
    action = request.url_for("submit_inquiry", slug=shop.slug).path + _query(embed, None)
    action = tracked(action, request.query_params.get("c"))  # a campaign's link to the form
    return templates.TemplateResponse(
        request,
        "inquire.html",
        {
            "shop": shop,
            "values": values,
            "errors": errors,
            "embed": embed,
            "action": action,
            "genders": list(Gender),
            "consent_text": shop.effective_consent_text(),
            "types": inquiry_types.offered(shop),
            **branding(shop),
            "questions": form.asked,
            "answers": answers or {},
        },
        status_code=status_code,
        headers=FRAMEABLE,
    )


@router.get("/s/{slug}/inquire", response_class=HTMLResponse, name="inquiry_form")
def inquiry_form(
    request: Request,
    shop: PublicShop,
    session: SessionDep,
    embed: bool = False,
    location: str | None = None,
) -> HTMLResponse:
    form = forms.current(session, shop)
    return _render_form(request, shop, form, values={"location": location}, errors={}, embed=embed)


@router.post("/s/{slug}/inquire", name="submit_inquiry")
async def submit_inquiry(
    request: Request,
    slug: str,
    session: SessionDep,
    fields: Annotated[InquiryFormData, Form()],
    posted: PostedAnswers,
    embed: bool = False,
) -> Response:
    """The same pipeline as the API's: the shop from the cache, the rate limit, the rules, a
    capture through the intake (the group commit, or the outbox with Kafka)."""
    shop, form = await shop_with_form(request, slug)
    values: dict[str, Any] = fields.model_dump(exclude={"website"})
    try:
        await check_rate(request)
    except TooManySubmissions as limited:
        return _too_many(request, limited.wait)
    thanks = request.url_for("inquiry_thanks", slug=shop.slug).path + _query(
        embed, values["location"]
    )
    if fields.website.strip():  # a bot: look normal, keep nothing
        return RedirectResponse(thanks, status.HTTP_303_SEE_OTHER)
    answers = _raw_answers(form, posted)

    def again(errors: dict[str, str], status_code: int) -> HTMLResponse:
        return _render_form(
            request,
            shop,
            form,
            values=values,
            errors=errors,
            embed=embed,
            status_code=status_code,
            answers=answers,
        )

    try:
        data = validate_inquiry(
            values | {ANSWERS: answers}, inquiry_types.offered(shop), form, country=shop.country
        )
    except InquiryInvalid as invalid:
        return again(invalid.errors, status.HTTP_422_UNPROCESSABLE_CONTENT)
    capture = prepare(shop, data, source=Source.WEB_FORM, form_version=form.version)
    try:
        accepted = await intake_of(request).submit(shop, capture)
    except AnswersUnavailable as unavailable:  # nothing was kept: the customer sends again
        return again({"form": str(unavailable)}, status.HTTP_503_SERVICE_UNAVAILABLE)
    campaign = request.query_params.get("c")
    if campaign:  # the request's own unit of work, committed as it ends
        await run_in_threadpool(record_link, session, shop, campaign, accepted.id)
    return RedirectResponse(thanks, status.HTTP_303_SEE_OTHER)


def _too_many(request: Request, wait: float) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "message.html",
        {
            "heading": "Too many submissions",
            "text": f"Please wait {max(1, round(wait))} seconds and send your inquiry again.",
        },
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        headers={**FRAMEABLE, **retry_after_header(wait)},
    )


@router.get("/s/{slug}/thanks", response_class=HTMLResponse, name="inquiry_thanks")
def inquiry_thanks(
    request: Request, shop: PublicShop, embed: bool = False, location: str | None = None
) -> HTMLResponse:
    again = request.url_for("inquiry_form", slug=shop.slug).path + _query(embed, location)
    return templates.TemplateResponse(
        request,
        "thanks.html",
        {"shop": shop, "embed": embed, "again": again, **branding(shop)},
        headers=FRAMEABLE,
    )


def branding(shop: Shop) -> dict[str, str | None]:
    """The shop's colour and logo on its public pages."""
    return {"brand_css": brand_css(shop), "logo": logo.url(shop)}


@router.get("/s/{slug}/logo/{digest}", name="shop_logo")
def shop_logo(shop: PublicShop, digest: str, session: SessionDep) -> Response:
    """The logo under its digest: the same address is the same image for good."""
    found = logo.read(session, shop.id, digest)
    if found is None:
        return Response(status_code=status.HTTP_404_NOT_FOUND)
    return Response(
        found.data,
        media_type=found.content_type,
        headers={"Cache-Control": "public, max-age=31536000, immutable", **FRAMEABLE},
    )
