"""The sender on a thread of `serve` (BARBERBOT_SEND_IN_SERVE), where no separate
`barberbot campaigns run` does it: the app's lifespan starts and stops it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from barberbot.campaigns.sender import Sender
from barberbot.core.db import Database
from barberbot.core.settings import Settings
from barberbot.messaging.claims import Cycler

log = logging.getLogger("barberbot.campaigns")
THREAD_NAME = "campaign-sender"


def _nothing_else(_: threading.Event) -> Sequence[Cycler]:
    return ()


class SenderThread:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        also: Callable[[threading.Event], Sequence[Cycler]] = _nothing_else,
    ) -> None:
        """`also`: makes the other sending run in the same loop (the inbox's), given the
        event that stops it."""
        self.db = db
        self.settings = settings
        self.also = also
        self._stopping = threading.Event()  # shared with each sender: stops it between messages
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Blocks until the sender has stopped, after the message it is sending if any."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        # the sender itself waits out a database that is away; anything else ends its run,
        # which is logged and started again, so serving never loses its sender for good
        while not self._stopping.is_set():
            try:
                stopping = self._stopping
                Sender(self.db, self.settings, stopping=stopping, also=self.also(stopping)).run()
            except Exception:
                wait = self.settings.campaign_poll_seconds
                log.exception("campaign sender failed; it starts again in %s s", wait)
                self._stopping.wait(wait)
