"""Signed links in messages: unsubscribe and e-mail confirmation, with the app's secret key."""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from barberbot.models import Channel

_UNSUBSCRIBE = "barberbot.unsubscribe.v1"
_CONFIRM = "barberbot.confirm-email.v1"


@dataclass(frozen=True)
class Unsubscribe:
    customer_id: int
    channel: Channel
    campaign_id: int | None


class Links:
    """Tokens never expire: an unsubscribe link must work however old the message is."""

    def __init__(self, secret_key: str, base_url: str) -> None:
        self._unsubscribe = URLSafeSerializer(secret_key, salt=_UNSUBSCRIBE)
        self._confirm = URLSafeSerializer(secret_key, salt=_CONFIRM)
        self.base_url = base_url.rstrip("/")

    def unsubscribe_url(self, customer_id: int, channel: Channel, campaign_id: int | None) -> str:
        token = self._unsubscribe.dumps([customer_id, channel.value, campaign_id])
        return f"{self.base_url}/u/{token}"

    def read_unsubscribe(self, token: str) -> Unsubscribe | None:
        try:
            customer_id, channel, campaign_id = self._unsubscribe.loads(token)
            return Unsubscribe(int(customer_id), Channel(channel), campaign_id)
        except (BadSignature, ValueError, TypeError):
            return None

    def confirm_url(self, customer_id: int, email: str) -> str:
        return f"{self.base_url}/confirm/{self._confirm.dumps([customer_id, email])}"

    def read_confirm(self, token: str) -> tuple[int, str] | None:
        try:
            customer_id, email = self._confirm.loads(token)
            return int(customer_id), str(email)
        except (BadSignature, ValueError, TypeError):
            return None

    def form_url(self, shop_slug: str, campaign_token: str) -> str:
        return f"{self.base_url}/s/{shop_slug}/inquire?c={campaign_token}"
