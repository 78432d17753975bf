"""VERP return paths: each campaign e-mail's envelope sender names its recipient, signed.

`bounces+<recipient id>-<signature>@domain`: a bounce report comes back to the address of
the one message it is about, and nobody can forge one for another recipient without the
app's secret key. Lower-case only, as some servers change the case of what they relay.
"""

from __future__ import annotations

import hashlib
import hmac

_PURPOSE = b"barberbot.bounce.v1:"
SIGNATURE_CHARS = 16  # 64 bits of HMAC-SHA256, in hex


class ReturnPaths:
    def __init__(self, secret_key: str, bounce_address: str) -> None:
        local, _, domain = bounce_address.partition("@")
        self._key = secret_key.encode()
        self.local, self.domain = local.lower(), domain.lower()

    def _sign(self, recipient_id: int) -> str:
        digest = hmac.new(self._key, _PURPOSE + str(recipient_id).encode(), hashlib.sha256)
        return digest.hexdigest()[:SIGNATURE_CHARS]

    def address(self, recipient_id: int) -> str:
        return f"{self.local}+{recipient_id}-{self._sign(recipient_id)}@{self.domain}"

    def read(self, address: str) -> int | None:
        """The campaign recipient an address was made for; None if it is not one of ours."""
        local, _, domain = address.strip().strip("<>").lower().rpartition("@")
        base, plus, token = local.partition("+")
        number, dash, signature = token.partition("-")
        if domain != self.domain or base != self.local or not (plus and dash):
            return None
        if not number.isascii() or not number.isdigit() or len(number) > 18:
            return None
        if not hmac.compare_digest(signature, self._sign(int(number))):
            return None
        return int(number)
