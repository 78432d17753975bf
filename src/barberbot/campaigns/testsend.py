"""A test send: the message made for a real customer, sent to the owner instead."""

from __future__ import annotations

from barberbot.campaigns.templates import Rendered
from barberbot.core.addresses import email_address
from barberbot.core.settings import Settings
from barberbot.messaging.messages import Email, Sent, Sms
from barberbot.messaging.transport import transport_for
from barberbot.models import Channel, Shop


def send_test(settings: Settings, shop: Shop, channel: str, to: str, rendered: Rendered) -> Sent:
    """Raises AddressInvalid for a `to` that is not one e-mail address, SendFailed or
    Unavailable, with the reason, if it did not go."""
    if channel == Channel.EMAIL:
        to = email_address(to)
    transport = transport_for(settings)
    try:
        if channel == Channel.EMAIL:
            subject = f"[TEST] {rendered.subject}"
            return transport.send(Email(to, subject, rendered.body, shop_id=shop.id))
        return transport.send(Sms(to, f"[TEST] {rendered.body}", shop_id=shop.id))
    finally:
        transport.close()
