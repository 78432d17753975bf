"""The owner's campaign pages: segments with a live count, campaigns, preview, send, results."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.campaigns import builder, segments, service
from barberbot.campaigns.api import LinksDep, owner_only
from barberbot.campaigns.errors import Invalid
from barberbot.campaigns.results import results
from barberbot.campaigns.rules import RuleInvalid
from barberbot.campaigns.schemas import CampaignCreate
from barberbot.campaigns.testsend import send_test
from barberbot.core.addresses import AddressInvalid
from barberbot.core.deps import SessionDep, SettingsDep
from barberbot.core.params import RowId
from barberbot.core.security_headers import NO_FRAMING
from barberbot.core.settings import Settings
from barberbot.customers import service as customers
from barberbot.forms import service as forms
from barberbot.forms.definition import NO_FORM
from barberbot.messaging.errors import SendFailed, Unavailable
from barberbot.models import Campaign, Channel, Role, Segment, Shop, User
from barberbot.models.base import utcnow
from barberbot.shops import inquiry_types
from barberbot.shops.deps import MemberShop
from barberbot.web.csrf import check_csrf, csrf_token
from barberbot.web.templating import templates

router = APIRouter(include_in_schema=False)
EXAMPLE_RULE = {"all": [{"field": "consent", "channel": "email"}]}


def _page(
    request: Request,
    user: User,
    shop: Shop,
    template: str,
    context: dict[str, Any],
    code: int = 200,
) -> HTMLResponse:
    zone = ZoneInfo(shop.timezone)
    return templates.TemplateResponse(
        request,
        template,
        {
            "user": user,
            "my_shops": auth.shops_of(user),
            "csrf": csrf_token(request),
            "shop": shop,
            "local": lambda at: at.astimezone(zone).strftime("%d %b %Y %H:%M") if at else "",
            **context,
        },
        status_code=code,
        headers=NO_FRAMING,
    )


def _choices(request: Request, session: SessionDep, shop: Shop) -> builder.Choices:
    """What the builder offers; no answer questions with the MongoDB store, which refuses
    answer conditions in segments."""
    in_sql = request.app.state.answer_store.in_database
    form = forms.current(session, shop) if in_sql else NO_FORM
    return builder.choices_for(inquiry_types.listed(shop), segments.locations(session, shop), form)


def _count(session: Session, shop: Shop, segment: Segment) -> int | str:
    """How many customers a saved segment holds, or why it cannot say (a rule saved before
    today's checks, that they refuse): the page shows the others all the same."""
    try:
        return segments.preview(session, shop, segments.rule_of(segment), sample=0).count
    except RuleInvalid as invalid:
        return "Not counted: " + "; ".join(invalid.errors.values())


def _overview(
    request: Request, user: User, shop: Shop, session: SessionDep, **extra: Any
) -> HTMLResponse:
    customers.sync_for_reading(session, shop)
    saved = [(s, _count(session, shop, s)) for s in segments.all_of(session, shop)]
    context = {
        "segments": saved,
        "campaigns": service.all_of(session, shop),
        "choices": extra.pop("choices", None) or _choices(request, session, shop),
        "builder_form": {"consent": ["email"]},
        "json_open": False,
        "segment_form": {"name": "", "rule": json.dumps(EXAMPLE_RULE, indent=2)},
        "campaign_form": {"channel": "email", "subject": "", "body": "", "promo_code": ""},
        "errors": {},
    }
    code = status.HTTP_422_UNPROCESSABLE_CONTENT if extra.get("errors") else status.HTTP_200_OK
    # the JSON editor opens for its own errors (the name and the rule's paths)
    json_errors = any(key == "name" or key.startswith("rule") for key in extra.get("errors", {}))
    extra["json_open"] = extra.get("json_open", False) or json_errors
    return _page(request, user, shop, "campaigns.html", context | extra, code)


@router.get("/shops/{slug}/campaigns", response_class=HTMLResponse, name="campaigns_page")
def campaigns_page(
    request: Request,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    rule: str = "",
    name: str = "",
) -> HTMLResponse:
    """`?rule=<JSON>` (and `&name=`) prefill the new segment, e.g. from a dashboard insight."""
    if not rule:
        return _overview(request, user, shop, session)
    form = {"name": name[:120], "rule": rule}
    try:
        parsed = json.loads(rule)
    except ValueError:
        return _overview(
            request, user, shop, session, segment_form=form, json_open=True,
            errors={"rule": "The rule is not valid JSON."},
        )  # fmt: skip
    form["rule"] = json.dumps(parsed, indent=2)
    fields = builder.fields_of(parsed, _choices(request, session, shop))
    if fields is None:  # OR groups, values without a tick box: only the JSON editor shows them
        return _overview(request, user, shop, session, segment_form=form, json_open=True)
    built = fields | {"name": [form["name"]]}
    return _overview(request, user, shop, session, segment_form=form, builder_form=built)


def _posted(form: Any) -> dict[str, list[str]]:
    """A submitted form, every input's values as a list of text (ticks come several)."""
    return {key: [str(value) for value in form.getlist(key)] for key in form}


@router.post("/shops/{slug}/segments/build", name="build_segment_page")
async def build_segment(
    request: Request, shop: MemberShop, user: CurrentUser, session: SessionDep
) -> Response:
    """A segment from the builder's ticks and numbers (the JSON editor posts to /segments)."""
    fields = _posted(await request.form())
    check_csrf(request, (fields.get("csrf") or [""])[0])
    return await run_in_threadpool(_save_built, request, user, shop, session, fields)


def _save_built(
    request: Request, user: User, shop: Shop, session: SessionDep, fields: dict[str, list[str]]
) -> Response:
    built = builder.build(fields)
    errors = dict(built.errors)
    if not errors:
        try:
            in_sql = request.app.state.answer_store.in_database
            name = (fields.get("name") or [""])[0]
            segments.create(session, shop, name, built.rule, answers_in_sql=in_sql)
        except Invalid as invalid:
            errors = built.input_errors(invalid.errors)
    if errors:
        choices = _choices(request, session, shop)
        return _overview(
            request, user, shop, session, choices=choices, builder_form=fields,
            builder_errors=choices.placed(errors), errors={"builder": "Check the segment below."},
        )  # fmt: skip
    return RedirectResponse(f"/shops/{shop.slug}/campaigns", status.HTTP_303_SEE_OTHER)


@router.post("/shops/{slug}/segments/count", name="count_built_segment")
async def count_built(request: Request, shop: MemberShop, session: SessionDep) -> JSONResponse:
    """The builder's live count: how many customers (and a few names) the ticks match now."""
    fields = _posted(await request.form())
    check_csrf(request, (fields.get("csrf") or [""])[0])  # it brings the customers up to date
    return await run_in_threadpool(_count_built, request, shop, session, fields)


def _count_built(
    request: Request, shop: Shop, session: SessionDep, fields: dict[str, list[str]]
) -> JSONResponse:
    built = builder.build(fields)
    in_sql = request.app.state.answer_store.in_database
    errors, rule = dict(built.errors), None
    if not errors:
        try:
            rule = segments.parse(session, shop, built.rule, answers_in_sql=in_sql)
        except Invalid as invalid:
            errors = built.input_errors(invalid.errors)
    if rule is None:
        placed = _choices(request, session, shop).placed(errors)
        return JSONResponse({"errors": placed}, status.HTTP_422_UNPROCESSABLE_CONTENT)
    customers.sync_for_reading(session, shop)
    found = segments.preview(session, shop, rule, sample=3, answers_in_sql=in_sql)
    sample = [customer.name for customer in found.sample]
    return JSONResponse({"count": found.count, "sample": sample, "rule": built.rule})


@router.post("/shops/{slug}/segments", name="create_segment_page")
def create_segment(
    request: Request,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    name: Annotated[str, Form()] = "",
    rule: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    form = {"name": name, "rule": rule}
    try:
        raw = json.loads(rule)
    except ValueError:
        return _overview(
            request,
            user,
            shop,
            session,
            segment_form=form,
            errors={"rule": "The rule is not valid JSON."},
        )
    try:
        in_sql = request.app.state.answer_store.in_database
        segments.create(session, shop, name, raw, answers_in_sql=in_sql)
    except Invalid as invalid:
        return _overview(request, user, shop, session, segment_form=form, errors=invalid.errors)
    return RedirectResponse(f"/shops/{shop.slug}/campaigns", status.HTTP_303_SEE_OTHER)


@router.post("/shops/{slug}/campaigns", name="create_campaign_page")
def create_campaign(
    request: Request,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    name: Annotated[str, Form()] = "",
    segment_id: Annotated[int, Form()] = 0,
    channel: Annotated[str, Form()] = "email",
    subject: Annotated[str, Form()] = "",
    body: Annotated[str, Form()] = "",
    promo_code: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    data = CampaignCreate(
        name=name,
        segment_id=segment_id,
        channel=channel,
        subject=subject,
        body=body,
        promo_code=promo_code.strip() or None,
    )
    try:
        campaign = service.create(session, shop, data)
    except Invalid as invalid:
        form = data.model_dump() | {"promo_code": promo_code}
        return _overview(request, user, shop, session, campaign_form=form, errors=invalid.errors)
    return RedirectResponse(
        f"/shops/{shop.slug}/campaigns/{campaign.id}", status.HTTP_303_SEE_OTHER
    )


def _campaign(session: SessionDep, shop: Shop, campaign_id: int) -> Campaign:
    found = service.get(session, shop, campaign_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such campaign in this shop.")
    return found


@router.get(
    "/shops/{slug}/campaigns/{campaign_id}", response_class=HTMLResponse, name="campaign_page"
)
def campaign_page(
    request: Request,
    campaign_id: RowId,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    links: LinksDep,
    settings: SettingsDep,
    notice: str = "",
    error: str = "",
) -> HTMLResponse:
    campaign = _campaign(session, shop, campaign_id)
    customers.sync_for_reading(session, shop)
    preview, preview_error = None, ""
    try:
        customer = service.sample_customer(session, shop, campaign, None)
        preview = (customer, service.render_for(shop, campaign, customer, links))
    except Invalid as invalid:
        preview_error = next(iter(invalid.errors.values()))
    segment = segments.get(session, shop, campaign.segment_id)
    context = {
        "campaign": campaign,
        "segment": segment,
        "preview": preview,
        "preview_error": preview_error,
        "results": results(session, campaign),
        "kept_locally": _kept_locally(settings, campaign.channel),
        "notice": notice,
        "error": error,
    }
    return _page(request, user, shop, "campaign.html", context)


def _kept_locally(settings: Settings, channel: str) -> str:
    """Why this channel's messages are kept in the outbox, not sent ("" when they go out)."""
    if channel == Channel.EMAIL and not settings.has_mail_server:
        return "no mail server set up"
    if channel == Channel.SMS and settings.sms_provider == "outbox":
        return "no SMS provider set up"
    return ""


def _back(shop: Shop, campaign_id: int, **query: str) -> RedirectResponse:
    suffix = f"?{urlencode(query)}" if query else ""
    return RedirectResponse(
        f"/shops/{shop.slug}/campaigns/{campaign_id}{suffix}", status.HTTP_303_SEE_OTHER
    )


@router.post("/shops/{slug}/campaigns/{campaign_id}/send", name="send_campaign_page")
def send_campaign(
    request: Request,
    campaign_id: RowId,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    send_at: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    owner_only(user, shop)
    campaign = _campaign(session, shop, campaign_id)
    try:
        when = datetime.fromisoformat(send_at) if send_at.strip() else None
    except ValueError:
        return _back(shop, campaign_id, error="Give the time as YYYY-MM-DD HH:MM.")
    try:
        service.schedule(session, shop, campaign, when)
    except Invalid as invalid:
        return _back(shop, campaign_id, error=next(iter(invalid.errors.values())))
    if when is None or (campaign.send_at is not None and campaign.send_at <= utcnow()):
        notice = "Scheduled to go now: the sender sends it in the background, and the results "
        notice += "below fill in as it goes."
    else:
        local = campaign.send_at.astimezone(ZoneInfo(shop.timezone)) if campaign.send_at else when
        notice = f"Scheduled for {local:%d %b %Y %H:%M} ({shop.timezone})."
    return _back(shop, campaign_id, notice=notice)


@router.post("/shops/{slug}/campaigns/{campaign_id}/cancel", name="cancel_campaign_page")
def cancel_campaign(
    request: Request,
    campaign_id: RowId,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    owner_only(user, shop)
    try:
        service.cancel(session, _campaign(session, shop, campaign_id))
    except Invalid as invalid:
        return _back(shop, campaign_id, error=next(iter(invalid.errors.values())))
    return _back(shop, campaign_id, notice="Cancelled.")


@router.post("/shops/{slug}/campaigns/{campaign_id}/test", name="test_campaign_page")
def send_test_page(
    request: Request,
    campaign_id: RowId,
    shop: MemberShop,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    links: LinksDep,
    to: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    campaign = _campaign(session, shop, campaign_id)
    to = to.strip() or (user.email if campaign.channel == Channel.EMAIL else "")
    if not to:
        return _back(shop, campaign_id, error="Give the phone number for the test SMS.")
    if auth.role_in(user, shop) != Role.OWNER and to.casefold() != user.email:
        return _back(shop, campaign_id, error="Staff can send a test only to their own e-mail.")
    try:
        customer = service.sample_customer(session, shop, campaign, None)
        rendered = service.render_for(shop, campaign, customer, links)
        sent = send_test(settings, shop, campaign.channel, to, rendered)
    except Invalid as invalid:
        return _back(shop, campaign_id, error=next(iter(invalid.errors.values())))
    except AddressInvalid as invalid_address:
        return _back(shop, campaign_id, error=str(invalid_address))
    except (SendFailed, Unavailable) as failed:
        return _back(shop, campaign_id, error=f"The test was not sent: {failed}")
    if sent.kept_locally:  # no mail server (or SMS provider) set up
        return _back(shop, campaign_id, notice=f"Test for {to} kept in the outbox, not sent.")
    return _back(shop, campaign_id, notice=f"Test sent to {to}.")
