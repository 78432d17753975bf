"""SMS through a provider: Twilio's REST shape over httpx, or a file/console for development."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Protocol

import httpx

from barberbot.campaigns.delivery import SendFailed, Unavailable
from barberbot.core.settings import Settings
from barberbot.models.base import utcnow

STOP_FOOTER = "Reply STOP to opt out."
# Twilio error codes that mean the number itself is no good (a bounce, not a hiccup)
BAD_NUMBER_CODES = {21211, 21214, 21610, 21612, 21614}


def with_footer(body: str) -> str:
    return body if "STOP" in body.upper() else f"{body.rstrip()}\n{STOP_FOOTER}"


class SmsProvider(Protocol):
    def send(self, to: str, body: str) -> str:
        """Send; returns the provider's message id. Raises SendFailed or Unavailable."""
        ...

    def close(self) -> None: ...


class FileSms:
    """One JSON line per message: what development and demos 'send'."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def send(self, to: str, body: str) -> str:
        line = json.dumps({"to": to, "body": body, "at": utcnow().isoformat()}, ensure_ascii=False)
        if self.path is None:
            print(f"SMS {line}", file=sys.stdout, flush=True)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")
        return f"local-{utcnow().timestamp()}"

    def close(self) -> None:
        pass


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

    def send(self, to: str, body: str) -> str:
        try:
            response = self.client.post(
                self.url, data={"To": to, "From": self.sender, "Body": body}, auth=self.auth
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


def provider_for(settings: Settings, client: httpx.Client | None = None) -> SmsProvider:
    if settings.sms_provider == "twilio":
        token = settings.sms_auth_token.get_secret_value() if settings.sms_auth_token else ""
        return TwilioSms(
            settings.sms_api_base_url, settings.sms_account_sid, token, settings.sms_from, client
        )
    if settings.sms_provider == "file":
        return FileSms(settings.resolved_sms_file_path)
    return FileSms(None)
