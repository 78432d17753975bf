"""/outbox: the messages kept instead of sent (no mail server or SMS provider set up), for the
shops the signed-in user belongs to only, newest first, and each in full."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response

from barberbot.auth import service as auth
from barberbot.auth.deps import CurrentUser
from barberbot.core.deps import SettingsDep
from barberbot.messaging.outbox import KeptMessage
from barberbot.messaging.transport import local_outbox
from barberbot.models import Channel, Shop, User
from barberbot.web.owner import owner_page

router = APIRouter(include_in_schema=False)
SHOWN = 200  # the newest; a development outbox rarely holds more worth reading
NOT_SENT = {
    Channel.EMAIL: "Not sent: no mail server set up. Set BARBERBOT_SMTP_HOST to send for real.",
    Channel.SMS: "Not sent: no SMS provider set up. Set BARBERBOT_SMS_PROVIDER to send for real.",
}
CHANNELS = {Channel.EMAIL: "E-mail", Channel.SMS: "SMS"}
# the HTML part of a message is the sender's, not ours: shown only in a sandboxed frame, with
# no script, no request out and nothing it could reach even when opened on its own
SANDBOXED = {
    "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; "
    "img-src data:; frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
}


def _shops(user: User) -> dict[int, Shop]:
    return {shop.id: shop for shop in auth.shops_of(user)}


def _when(shops: dict[int, Shop]) -> Callable[[datetime, int], str]:
    """A kept message's time in its shop's time zone."""

    def local(at: datetime, shop_id: int) -> str:
        return at.astimezone(ZoneInfo(shops[shop_id].timezone)).strftime("%d %b %Y %H:%M")

    return local


@router.get("/outbox", response_class=HTMLResponse, name="outbox")
def outbox_page(request: Request, user: CurrentUser, settings: SettingsDep) -> Response:
    shops = _shops(user)
    kept = []
    if not settings.has_mail_server:
        kept.append(NOT_SENT[Channel.EMAIL])
    if settings.sms_provider == "outbox":
        kept.append(NOT_SENT[Channel.SMS])
    context: dict[str, object] = {
        "shop": None,
        "on_outbox": True,
        "entries": local_outbox(settings).entries(shops, SHOWN),
        "shown": SHOWN,
        "shops": shops,
        "banners": kept,
        "channels": CHANNELS,
        "local": _when(shops),
    }
    return owner_page(request, user, "outbox.html", context)


def _kept(user: User, settings: SettingsDep, entry_id: str) -> KeptMessage:
    found = local_outbox(settings).read(entry_id, _shops(user))
    if found is None:  # not there, or another shop's: the same answer
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such message in your outbox.")
    return found


@router.get("/outbox/{entry_id}", response_class=HTMLResponse, name="outbox_message")
def outbox_message(
    request: Request, entry_id: str, user: CurrentUser, settings: SettingsDep
) -> Response:
    kept = _kept(user, settings, entry_id)
    shops = _shops(user)
    assert kept.entry.shop_id is not None  # read() gives only the user's shops' messages
    context: dict[str, object] = {
        "shop": None,
        "on_outbox": True,
        "kept": kept,
        "entry": kept.entry,
        "message_shop": shops[kept.entry.shop_id],
        "banner": NOT_SENT[kept.entry.channel],
        "channels": CHANNELS,
        "local": _when(shops),
    }
    return owner_page(request, user, "outbox_message.html", context)


@router.get("/outbox/{entry_id}/html", name="outbox_message_html")
def outbox_message_html(entry_id: str, user: CurrentUser, settings: SettingsDep) -> Response:
    kept = _kept(user, settings, entry_id)
    if kept.html is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "This message has no HTML part.")
    return HTMLResponse(kept.html, headers=SANDBOXED)
