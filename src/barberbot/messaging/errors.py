"""What a send can end in, for every channel: the caller records it per message."""

from __future__ import annotations


class Unavailable(Exception):
    """The transport could not be reached: nothing was sent, the message can wait."""


class SendFailed(Exception):
    """This message was not (or may not have been) delivered; not retried."""

    def __init__(self, reason: str, *, bounced: bool = False) -> None:
        self.reason = reason[:500]
        self.bounced = bounced  # the address itself was refused
        super().__init__(reason)
