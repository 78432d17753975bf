"""Public pages reached from messages: unsubscribe (RFC 8058 one-click), confirm, SMS replies."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Header, HTTPException, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from barberbot.campaigns.api import LinksDep
from barberbot.core.deps import SessionDep, SettingsDep
from barberbot.customers import consent
from barberbot.customers.contacts import email_key
from barberbot.models import Channel, ConsentState, Customer, Shop
from barberbot.web.templating import templates

router = APIRouter(include_in_schema=False)
CHANNEL_WORDS = {Channel.EMAIL: "e-mails", Channel.SMS: "text messages"}


def _page(request: Request, heading: str, text: str, **context: object) -> HTMLResponse:
    return templates.TemplateResponse(
        request,
        "unsubscribe.html",
        {"heading": heading, "text": text, **context},
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


def _lookup(
    session: SessionDep, links: LinksDep, token: str
) -> tuple[Customer, Shop, Channel, int | None]:
    found = links.read_unsubscribe(token)
    customer = session.get(Customer, found.customer_id) if found else None
    shop = session.get(Shop, customer.shop_id) if customer else None
    if found is None or customer is None or shop is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "This unsubscribe link is not valid.")
    return customer, shop, found.channel, found.campaign_id


@router.get("/u/{token}", response_class=HTMLResponse, name="unsubscribe_page")
def unsubscribe_page(
    request: Request, token: str, session: SessionDep, links: LinksDep
) -> HTMLResponse:
    """Asks before acting: link scanners follow GET links, people press the button."""
    customer, shop, channel, _ = _lookup(session, links, token)
    state = customer.email_consent if channel == Channel.EMAIL else customer.sms_consent
    if state == ConsentState.WITHDRAWN:
        return _page(
            request,
            "You are unsubscribed",
            f"{shop.name} will send you no more {CHANNEL_WORDS[channel]}.",
        )
    return _page(
        request,
        f"Unsubscribe from {shop.name}",
        f"Press the button and {shop.name} will send you no more {CHANNEL_WORDS[channel]}.",
        action=request.url.path,
    )


@router.post("/u/{token}", name="unsubscribe")
def unsubscribe(
    request: Request,
    token: str,
    session: SessionDep,
    links: LinksDep,
    list_unsubscribe: Annotated[str, Form(alias="List-Unsubscribe")] = "",
) -> Response:
    """The page's button, and mail clients' one-click POST (List-Unsubscribe=One-Click)."""
    customer, shop, channel, campaign_id = _lookup(session, links, token)
    one_click = list_unsubscribe == "One-Click"
    state = customer.email_consent if channel == Channel.EMAIL else customer.sms_consent
    if state != ConsentState.WITHDRAWN:
        consent.withdraw(
            session,
            customer,
            channel,
            "one_click" if one_click else "unsubscribe_link",
            campaign_id=campaign_id,
            detail={"user_agent": request.headers.get("user-agent", "")[:200]},
        )
    return _page(
        request,
        "You are unsubscribed",
        f"{shop.name} will send you no more {CHANNEL_WORDS[channel]}.",
    )


def _confirming(session: SessionDep, links: LinksDep, token: str) -> tuple[Customer, Shop]:
    found = links.read_confirm(token)
    customer = session.get(Customer, found[0]) if found else None
    if found is None or customer is None or email_key(customer.email or "") != email_key(found[1]):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "This confirmation link is not valid.")
    shop = session.get(Shop, customer.shop_id)
    assert shop is not None
    return customer, shop


@router.get("/confirm/{token}", response_class=HTMLResponse, name="confirm_email_page")
def confirm_email_page(
    request: Request, token: str, session: SessionDep, links: LinksDep
) -> HTMLResponse:
    """Asks before acting: a mail scanner that follows the link confirms nothing."""
    customer, shop = _confirming(session, links, token)
    if customer.email_consent == ConsentState.WITHDRAWN:
        return _page(
            request, "You are unsubscribed", "You unsubscribed since; nothing was changed."
        )
    return _page(
        request,
        f"Offers and news from {shop.name}?",
        f"Press the button and {shop.name} may send you offers and news by e-mail. You can "
        "unsubscribe from any of them.",
        action=request.url.path,
        button="Yes, send them",
    )


@router.post("/confirm/{token}", name="confirm_email")
def confirm_email(
    request: Request, token: str, session: SessionDep, links: LinksDep
) -> HTMLResponse:
    customer, shop = _confirming(session, links, token)
    if customer.email_consent == ConsentState.WITHDRAWN:
        return _page(
            request, "You are unsubscribed", "You unsubscribed since; nothing was changed."
        )
    consent.confirm_email(session, customer)
    return _page(request, "Thank you", f"{shop.name} may now send you offers and news by e-mail.")


def _twilio_signature(auth_token: str, url: str, form: dict[str, str]) -> str:
    payload = url + "".join(f"{key}{form[key]}" for key in sorted(form))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@router.post("/webhooks/sms/inbound", name="sms_inbound")
async def sms_inbound(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    signature: Annotated[str, Header(alias="X-Twilio-Signature")] = "",
) -> Response:
    """A reply to our SMS (Twilio's form post: From, To, Body, MessageSid). STOP unsubscribes."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    if settings.sms_auth_token is None and not settings.sms_webhook_insecure:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Inbound SMS are not set up: BarberBot needs the provider's auth token "
            "(BARBERBOT_SMS_AUTH_TOKEN) to check each message came from it.",
        )
    if settings.sms_auth_token is not None:
        url = (
            (settings.public_url.rstrip("/") + request.url.path)
            if settings.public_url
            else str(request.url)
        )
        expected = _twilio_signature(settings.sms_auth_token.get_secret_value(), url, form)
        if not hmac.compare_digest(expected, signature):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "Bad signature.")
    sender, body = form.get("From", ""), form.get("Body", "")
    if not sender:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "From is required.")
    detail = {
        "message_sid": form.get("MessageSid", ""),
        "to": form.get("To", ""),
        "body": body[:160],
    }
    await run_in_threadpool(consent.sms_stop, session, sender, body, detail)
    # an empty TwiML answer: the provider sends its own STOP confirmation
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?><Response/>', media_type="application/xml"
    )
