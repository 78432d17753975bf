"""SMS through Twilio's REST shape over httpx (any Twilio-compatible API)."""

from __future__ import annotations

import httpx

from barberbot.messaging.errors import SendFailed, Unavailable
from barberbot.messaging.messages import Sms

# Twilio error codes that mean the number itself is no good (a bounce, not a hiccup)
BAD_NUMBER_CODES = {21211, 21214, 21610, 21612, 21614}


class TwilioSms:
    """POST {base}/2010-04-01/Accounts/{sid}/Messages.json with To, From and Body."""

    def __init__(
        self,
        base_url: str,
        account_sid: str,
        auth_token: str,
        sender: str,
        client: httpx.Client | None = None,
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.sender = sender
        self.client = client or httpx.Client(timeout=30)
        self.auth = (account_sid, auth_token)

    def send_sms(self, sms: Sms) -> str:
        """The provider's message id."""
        try:
            response = self.client.post(
                self.url, data={"To": sms.to, "From": self.sender, "Body": sms.body}, auth=self.auth
            )
        except httpx.ConnectError as error:
            raise Unavailable(f"SMS provider unreachable: {error}") from None
        except httpx.HTTPError as error:  # timed out mid-request: it may have gone out
            raise SendFailed(f"SMS provider did not answer: {error}") from None
        if response.status_code >= 500:
            raise SendFailed(f"SMS provider error {response.status_code}")
        payload = _json(response)
        if response.status_code >= 400:
            code = payload.get("code")
            message = payload.get("message") or response.text[:200]
            raise SendFailed(
                f"{code or response.status_code} {message}", bounced=code in BAD_NUMBER_CODES
            )
        return str(payload.get("sid", ""))

    def close(self) -> None:
        self.client.close()


def _json(response: httpx.Response) -> dict[str, object]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
